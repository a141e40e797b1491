// Orientation statistics of shear catalogs in uniaxial tension (SPEC 3.4): the mean, over random
// orientations, of the best-aligned mode's work as a fraction of the ideal pure shear's.
// Each sampled mean (fixed seed) is compared with its exact expectation, computed here by
// quadrature, within 5 standard errors of the sample (a false failure rate below 1e-6 for a
// correct implementation; a fixed seed makes the outcome reproducible anyway).
//
// Exact expectations used below (σ = e3⊗e3 in 3D, σ = e2⊗e2 in 2D):
//   3D random catalog, P = M/2 iid systems: the work of system R D Rᵀ is (γ0/2)(m_x² − m_y²) with
//     m = Rᵀe3 uniform on the sphere, so E = ∫₀¹ (1 − F(x)^P) dx with F the CDF of
//     X = |m_x² − m_y²| = (1 − u²)|cos ψ| (u, ψ uniform);
//   3D template: E over n uniform on the sphere of max_k 2 nᵀS_k n / γ0 (the 2-mode value is
//     2|n_x n_z|, mean 4/(3π));
//   2D: the best of M directions 2θ_k evenly spaced by 2π/M misses the ideal by an angle uniform
//     in [−π/M, π/M], so E = sin(π/M) / (π/M).
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <Eigen/Core>

#include "libstz/catalog/shear_catalog.hpp"
#include "libstz/core/units.hpp"

namespace stz {
namespace {

constexpr double kGamma0 = 0.1;
constexpr int kSamples = 40000;
const SymTensor kTension3d{0, 0, 1, 0, 0, 0};
const SymTensor kTension2d{0, 1, 0, 0, 0, 0};

struct SampleMean {
  double mean, standard_error;
};

SampleMean sample(const std::function<double()>& draw) {
  double sum = 0.0, sum2 = 0.0;
  for (int i = 0; i < kSamples; ++i) {
    const double x = draw();
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / kSamples;
  const double variance = (sum2 - kSamples * mean * mean) / (kSamples - 1);
  return {mean, std::sqrt(variance / kSamples)};
}

/// P(|cos ψ| <= c), ψ uniform.
double cos_cdf(double c) {
  return c >= 1.0 ? 1.0 : 1.0 - 2.0 / units::pi * std::acos(c);
}

/// CDF of X = (1 − u²)|cos ψ|, u uniform in [0, 1]. Below u* = sqrt(1 − x) the substitution
/// u = u*(1 − t²) removes the square-root kink of acos at u*; above it the integrand is 1.
double alignment_cdf(double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double u_star = std::sqrt(1.0 - x);
  const int n = 2000;
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    const double t = (i + 0.5) / n;
    const double u = u_star * (1.0 - t * t);
    sum += cos_cdf(x / (1.0 - u * u)) * 2.0 * u_star * t / n;
  }
  return sum + (1.0 - u_star);
}

/// E[max of `systems` iid copies of X], the random-catalog expectation in uniaxial tension.
double random_catalog_expectation(int systems) {
  const int n = 1000;
  double sum = 0.0;
  for (int i = 0; i < n; ++i) sum += 1.0 - std::pow(alignment_cdf((i + 0.5) / n), systems);
  return sum / n;
}

/// Mean of g(n) over the unit sphere, by the midpoint rule in (n_z, φ) on one octant (every g
/// below is symmetric under sign changes of the components).
double sphere_mean(const std::function<double(double, double, double)>& g) {
  const int n = 1500;
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    const double z = (i + 0.5) / n, rho = std::sqrt(1.0 - z * z);
    for (int j = 0; j < n; ++j) {
      const double phi = 0.5 * units::pi * (j + 0.5) / n;
      sum += g(rho * std::cos(phi), rho * std::sin(phi), z);
    }
  }
  return sum / (static_cast<double>(n) * n);
}

double twelve_mode_template_expectation() {
  return sphere_mean([](double x, double y, double z) {
    return std::max({2 * std::abs(x * z), 2 * std::abs(x * y), 2 * std::abs(y * z),
                     std::abs(x * x - y * y), std::abs(x * x - z * z), std::abs(y * y - z * z)});
  });
}

double planar_expectation(int modes) {
  const double half_gap = units::pi / modes;
  return std::sin(half_gap) / half_gap;
}

void expect_within_five_standard_errors(const SampleMean& s, double expected) {
  EXPECT_NEAR(s.mean, expected, 5.0 * s.standard_error)
      << "sample mean " << s.mean << " ± " << s.standard_error << ", exact " << expected;
  ::testing::Test::RecordProperty("sample_mean", std::to_string(s.mean));
  ::testing::Test::RecordProperty("exact", std::to_string(expected));
}

TEST(AlignmentExpectations, QuadratureReproducesTheClosedForms) {
  // Two-mode template: 4/(3π). The midpoint rules converge as h², ~1e-6 at these sizes; 1e-5.
  EXPECT_NEAR(sphere_mean([](double x, double, double z) { return 2 * std::abs(x * z); }),
              4.0 / (3.0 * units::pi), 1e-5);
  // A random catalog of one system is the 2-mode template in a random orientation.
  EXPECT_NEAR(random_catalog_expectation(1), 4.0 / (3.0 * units::pi), 1e-5);
}

TEST(AlignmentStatistics3d, RandomTwentyModeCatalogInTension) {
  Rng rng(2024, RngPurpose::test, 1);
  const SampleMean s = sample([&] {
    return best_alignment(make_random_catalog(20, kGamma0, 0.0, rng), kTension3d).fraction;
  });
  expect_within_five_standard_errors(s, random_catalog_expectation(10));  // 0.87717
}

TEST(AlignmentStatistics3d, RandomTwelveModeCatalogInTension) {
  // SPEC 3.4's "~0.81 for 12 modes" is this value (random systems), not the 12-mode template.
  Rng rng(2024, RngPurpose::test, 2);
  const SampleMean s = sample([&] {
    return best_alignment(make_random_catalog(12, kGamma0, 0.0, rng), kTension3d).fraction;
  });
  expect_within_five_standard_errors(s, random_catalog_expectation(6));  // 0.81155
}

TEST(AlignmentStatistics3d, TwelveModeTemplateInTension) {
  Rng rng(2024, RngPurpose::test, 3);
  const ShearCatalog plain = make_template_catalog(12, kGamma0, 0.0);
  const SampleMean s = sample(
      [&] { return best_alignment(rotated(plain, random_rotation(rng)), kTension3d).fraction; });
  expect_within_five_standard_errors(s, twelve_mode_template_expectation());  // 0.85383
}

TEST(AlignmentStatistics3d, TwoModeTemplateInTension) {
  Rng rng(2024, RngPurpose::test, 4);
  const SampleMean s = sample([&] {
    return best_alignment(make_template_catalog(2, kGamma0, 0.0, random_rotation(rng)), kTension3d)
        .fraction;
  });
  expect_within_five_standard_errors(s, 4.0 / (3.0 * units::pi));  // 0.42441
}

TEST(AlignmentStatistics2d, PlanarCatalogsInPlaneStrainTension) {
  for (int m : {20, 12, 2}) {
    SCOPED_TRACE("M = " + std::to_string(m));
    Rng rng(2024, RngPurpose::test, 10 + static_cast<std::uint64_t>(m));
    const SampleMean s = sample([&] {
      const ShearCatalog c = make_planar_catalog(m, kGamma0, 0.0, random_planar_angle(rng));
      return best_alignment(c, kTension2d).fraction;
    });
    expect_within_five_standard_errors(s, planar_expectation(m));  // 0.99589, 0.98862, 0.63662
  }
}

TEST(AlignmentStatistics2d, EvenlySpacedOrientationsAverageToTheClosedForm) {
  // Deterministic check of the same expectation: θ0 on a midpoint grid over [0, π). The
  // fraction is cos(offset), piecewise smooth in θ0, so the grid mean converges as h²: with
  // 20000 points the error is ~1e-8; 1e-7.
  // In plane strain the tension also carries σ_zz = ν σ_yy; out-of-plane stress changes neither
  // the work of in-plane modes nor s1 − s3 while 0 <= σ_zz <= σ_yy.
  const SymTensor plane_strain_tension{0, 1, 0.387, 0, 0, 0};
  for (int m : {1, 2, 3, 12, 20}) {
    const int n = 20000;
    double sum = 0.0, sum_plane_strain = 0.0;
    for (int i = 0; i < n; ++i) {
      const ShearCatalog c = make_planar_catalog(m, kGamma0, 0.0, units::pi * (i + 0.5) / n);
      sum += best_alignment(c, kTension2d).fraction;
      sum_plane_strain += best_alignment(c, plane_strain_tension).fraction;
    }
    EXPECT_NEAR(sum / n, planar_expectation(m), 1e-7) << "M = " << m;
    EXPECT_NEAR(sum_plane_strain / n, planar_expectation(m), 1e-7) << "M = " << m;
  }
}

}  // namespace
}  // namespace stz
