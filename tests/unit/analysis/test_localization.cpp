// Localization measures: top-fraction share by hand, and the band measure on synthetic bands
// (2D and 3D, several orientations), on uniform random fields, and its edge cases.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "libstz/analysis/localization.hpp"
#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"
#include "libstz/core/rng.hpp"
#include "libstz/core/units.hpp"
#include "tests/support/tolerance.hpp"

namespace stz {
namespace {

// Hand-computed shares are ratios of small integers: roundoff only (1e-15).
constexpr double kRoundoff = 1e-15;

TEST(TopFractionShare, HandComputed) {
  std::vector<double> v(10);
  std::iota(v.begin(), v.end(), 1.0);  // 1..10, total 55
  std::reverse(v.begin() + 3, v.end());
  EXPECT_REL_NEAR(top_fraction_share(v, 0.1), 10.0 / 55.0, kRoundoff);
  EXPECT_REL_NEAR(top_fraction_share(v, 0.3), 27.0 / 55.0, kRoundoff);
  // 0.7·10 = 7.000000000000001 in floating point: still the top 7 (= 55 − 1 − 2 − 3).
  EXPECT_REL_NEAR(top_fraction_share(v, 0.7), 49.0 / 55.0, kRoundoff);
  // ceil(0.25·10) = 3 values.
  EXPECT_REL_NEAR(top_fraction_share(v, 0.25), 27.0 / 55.0, kRoundoff);
  EXPECT_REL_NEAR(top_fraction_share(v, 1.0), 1.0, kRoundoff);
  // A tiny fraction still takes one value.
  EXPECT_REL_NEAR(top_fraction_share(v, 1e-6), 10.0 / 55.0, kRoundoff);
}

TEST(TopFractionShare, UniformFieldShareEqualsFraction) {
  const std::vector<double> v(200, 0.3);
  EXPECT_REL_NEAR(top_fraction_share(v, 0.1), 0.1, 1e-14);  // 20 equal terms of 200: roundoff
}

TEST(TopFractionShare, EdgeCases) {
  EXPECT_TRUE(std::isnan(top_fraction_share(std::vector<double>(5, 0.0), 0.2)));
  EXPECT_TRUE(std::isnan(top_fraction_share(std::vector<double>{}, 0.2)));
  for (double f : {0.0, -0.1, 1.5, std::nan("")}) {
    try {
      top_fraction_share(std::vector<double>{1.0, 2.0}, f);
      FAIL() << "fraction " << f;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), "analysis.top_fraction");
    }
  }
}

// Field = background + 1 on voxels whose class (h x + k y + l z) mod period is in
// [offset, offset + thickness).
std::vector<double> banded_field(const Grid& grid, std::array<int, 3> n, long period, long offset,
                                 long thickness, double background_amplitude, std::uint64_t seed) {
  Rng rng(seed, RngPurpose::test);
  std::vector<double> f(grid.size());
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const auto c = grid.coords(i);
    long cls = (static_cast<long>(n[0]) * c[0] + static_cast<long>(n[1]) * c[1] +
                static_cast<long>(n[2]) * c[2]) %
               period;
    if (cls < 0) cls += period;
    const bool inside = (cls - offset + period) % period < thickness;
    f[i] = background_amplitude * uniform01(rng) + (inside ? 1.0 : 0.0);
  }
  return f;
}

TEST(BandLocalization, Finds45DegreeBandIn2D) {
  // Band x + y ≡ 10..15 (mod 64): 6 classes of the (1,1) family, perpendicular width
  // 6/sqrt(2) ≈ 4.24 voxels, area fraction 6/64. A width of 4.24 nm selects exactly 6 classes.
  const Grid grid = Grid::plane(64, 64);
  const auto f = banded_field(grid, {1, 1, 0}, 64, 10, 6, 0.0, 1);
  const BandMeasure b = band_localization(grid, f, 6.0 / std::sqrt(2.0));
  ASSERT_TRUE(b.found);
  EXPECT_EQ(b.normal, (std::array<int, 3>{1, 1, 0}));
  EXPECT_EQ(b.offset, 10);
  EXPECT_EQ(b.thickness, 6);
  EXPECT_EQ(b.period, 64);
  EXPECT_REL_NEAR(b.angle_deg, 45.0, 1e-12);
  EXPECT_REL_NEAR(b.share, 1.0, kRoundoff);
  EXPECT_REL_NEAR(b.area_fraction, 6.0 / 64.0, kRoundoff);
  EXPECT_REL_NEAR(b.width_nm, 6.0 / std::sqrt(2.0), 1e-12);
}

TEST(BandLocalization, FindsNoisyBandsOfEveryOrientationIn2D) {
  // A band of unit excess on a uniform background in [0, 0.5) (mean 0.25): share of the true
  // band = (T/G)(1 + 0.25)/(T/G + 0.25) ≈ 0.29 for T/G ≈ 0.1 against an area fraction ≈ 0.1,
  // so the right family wins by a wide margin over background noise (relative sd of a band sum
  // ≈ 0.6/sqrt(400) ≈ 3 %). Angles from the tensile (y) axis: asin(|k|/|n|).
  const Grid grid = Grid::plane(60, 40);
  struct Case {
    std::array<int, 3> normal;
    double angle_deg;
  };
  for (const Case& c :
       {Case{{1, 1, 0}, 45.0}, Case{{1, -1, 0}, 45.0}, Case{{0, 1, 0}, 90.0}, Case{{1, 0, 0}, 0.0},
        Case{{1, 2, 0}, std::asin(2.0 / std::sqrt(5.0)) * 180.0 / units::pi},
        Case{{2, -1, 0}, std::asin(1.0 / std::sqrt(5.0)) * 180.0 / units::pi}}) {
    long period = 0;
    for (int a = 0; a < 2; ++a) period = std::gcd(period, std::labs(c.normal[a] * grid.extent(a)));
    const long thickness = std::max(1L, std::lround(0.1 * period));
    const double len = std::sqrt(c.normal[0] * c.normal[0] + c.normal[1] * c.normal[1] + 0.0);
    const auto f = banded_field(grid, c.normal, period, period / 3, thickness, 0.5, 2);
    const BandMeasure b = band_localization(grid, f, static_cast<double>(thickness) / len);
    ASSERT_TRUE(b.found);
    EXPECT_EQ(b.normal, c.normal);
    EXPECT_EQ(b.offset, period / 3);
    EXPECT_EQ(b.thickness, thickness);
    EXPECT_NEAR(b.angle_deg, c.angle_deg, 1e-9);
    EXPECT_GT(b.share, 2.0 * b.area_fraction);
    const auto mask = band_mask(grid, b);
    double inside = 0.0, total = 0.0;
    for (std::size_t i = 0; i < grid.size(); ++i) inside += mask[i] * f[i], total += f[i];
    EXPECT_REL_NEAR(b.share, inside / total, 1e-12);  // same sum, possibly different order
    EXPECT_REL_NEAR(b.area_fraction,
                    std::count(mask.begin(), mask.end(), 1) / static_cast<double>(grid.size()),
                    kRoundoff);
  }
}

TEST(BandLocalization, FindsInclinedPlaneIn3D) {
  // Plane family (1,0,1) on 16³: G = 16, |n| = sqrt 2; a 3-class band. The tensile axis is z:
  // the plane makes 45° with it. The (0,0,1) family (planes ⟂ z) is at 90°.
  const Grid grid = Grid::box(16, 16, 16);
  for (const auto& [normal, angle] : std::vector<std::pair<std::array<int, 3>, double>>{
           {{1, 0, 1}, 45.0}, {{0, 0, 1}, 90.0}, {{1, 1, -1}, 35.26438968275466}}) {
    const double len =
        std::sqrt(normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2] + 0.0);
    const auto f = banded_field(grid, normal, 16, 5, 3, 0.3, 3);
    const BandMeasure b = band_localization(grid, f, 3.0 / len);
    ASSERT_TRUE(b.found);
    EXPECT_EQ(b.normal, normal);
    EXPECT_EQ(b.offset, 5);
    EXPECT_NEAR(b.angle_deg, angle, 1e-9);  // asin(1/sqrt 3) = 35.264...°
    EXPECT_GT(b.concentration, 3.0);
  }
}

TEST(BandLocalization, TensileAxisChangesTheAngle) {
  const Grid grid = Grid::plane(32, 32);
  const auto f = banded_field(grid, {0, 1, 0}, 32, 4, 3, 0.0, 4);  // band ⟂ y
  EXPECT_NEAR(band_localization(grid, f, 3.0).angle_deg, 90.0, 1e-12);
  EXPECT_NEAR(band_localization(grid, f, 3.0, 2, 0).angle_deg, 0.0, 1e-12);
}

TEST(BandLocalization, UniformRandomFieldShareIsNearTheAreaFraction) {
  // Uniform values in [0, 1) (relative sd 0.58 per voxel); every band of width 6 holds at least
  // 6 rows × 64 = 384 voxels, so the relative sd of its mean is ≤ 0.58/sqrt(384) ≈ 3 %. The maximum
  // over ≤ 64 offsets × 8 families of strongly correlated windows stays within ~4 sd, so the
  // concentration is in [1, 1.15].
  const Grid grid = Grid::plane(64, 64);
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    Rng rng(seed, RngPurpose::test, 3);
    std::vector<double> f(grid.size());
    for (double& v : f) v = uniform01(rng);
    const BandMeasure b = band_localization(grid, f, 6.0);
    ASSERT_TRUE(b.found);
    EXPECT_GE(b.concentration, 1.0);
    EXPECT_LT(b.concentration, 1.15) << "seed " << seed;
    EXPECT_NEAR(b.share, b.area_fraction, 0.15 * b.area_fraction);
  }
}

TEST(BandLocalization, ThreadCountIndependent) {
  const Grid grid = Grid::box(12, 12, 12);
  Rng rng(9, RngPurpose::test);
  std::vector<double> f(grid.size());
  for (double& v : f) v = uniform01(rng);
  const int saved = max_threads();
  set_threads(1);
  const BandMeasure one = band_localization(grid, f, 2.0);
  set_threads(3);
  const BandMeasure three = band_localization(grid, f, 2.0);
  set_threads(saved);
  EXPECT_EQ(one.normal, three.normal);
  EXPECT_EQ(one.offset, three.offset);
  EXPECT_EQ(one.share, three.share);
}

TEST(BandLocalization, EdgeCases) {
  const Grid grid = Grid::plane(8, 8);
  const BandMeasure zero = band_localization(grid, std::vector<double>(64, 0.0), 1.0);
  EXPECT_FALSE(zero.found);
  EXPECT_TRUE(std::isnan(zero.share));
  const auto zero_mask = band_mask(grid, zero);
  EXPECT_EQ(std::count(zero_mask.begin(), zero_mask.end(), 1), 0);
  // Wider than every period: no admissible family.
  EXPECT_FALSE(band_localization(grid, std::vector<double>(64, 1.0), 100.0).found);
  // A constant field: every band has concentration 1; the first family wins: (0,1,0).
  const BandMeasure flat = band_localization(grid, std::vector<double>(64, 1.0), 2.0);
  ASSERT_TRUE(flat.found);
  EXPECT_REL_NEAR(flat.concentration, 1.0, 1e-14);
  EXPECT_EQ(flat.normal, (std::array<int, 3>{0, 1, 0}));
  // Scalar-field overload.
  ScalarField s(grid, 1, 1.0);
  EXPECT_EQ(band_localization(grid, s, 2.0).normal, flat.normal);

  const std::vector<double> f(64, 1.0);
  auto expect_key = [&](auto call, const char* key) {
    try {
      call();
      FAIL() << key;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), key);
    }
  };
  expect_key([&] { band_localization(grid, f, 0.0); }, "analysis.band_width_nm");
  expect_key([&] { band_localization(grid, f, std::nan("")); }, "analysis.band_width_nm");
  expect_key([&] { band_localization(grid, f, 1.0, 0); }, "analysis.band_max_index");
  expect_key([&] { band_localization(grid, f, 1.0, 2, 2); }, "analysis.tensile_axis");
}

}  // namespace
}  // namespace stz
