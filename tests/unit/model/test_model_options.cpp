// The original authors' model choices as options (issue 9, section 3; docs/model.md):
// types.<name>.reverse_modes (catalogs with or without the negative of each mode),
// types.<name>.softening_scale (free volume per event independent of the order), per-domain
// catalogs for domains whose voxels mix types (mro.mixing: per_voxel), and the relative
// free-volume measure behind cfv.measure: relative.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "libstz/catalog/shear_catalog.hpp"
#include "libstz/core/error.hpp"
#include "libstz/core/units.hpp"
#include "libstz/model/stz_model.hpp"
#include "tests/support/tolerance.hpp"

namespace stz {
namespace {

// Largest |a + b| over distinct pairs, normalised by γ0: 0 when some pair is a ± pair.
double closest_pair_sum(const ShearCatalog& c) {
  double best = 1e300;
  for (int a = 0; a < c.size(); ++a)
    for (int b = a + 1; b < c.size(); ++b) {
      double s = 0.0;
      for (std::size_t v = 0; v < 6; ++v) s = std::max(s, std::abs(c.mode(a)[v] + c.mode(b)[v]));
      best = std::min(best, s / c.gamma0());
    }
  return best;
}

// A unit-magnitude pure shear has σ:σ = γ0²/2 (principal strains ±γ0/2).
void expect_pure_shears(const ShearCatalog& c) {
  for (const SymTensor& m : c) {
    EXPECT_NEAR(double_dot(m, m), 0.5 * c.gamma0() * c.gamma0(), 1e-12);
    EXPECT_NEAR(trace(m), 0.0, 1e-12);
  }
}

TEST(ReverseModes, EveryFactoryWithAndWithout) {
  Rng rng(4, RngPurpose::test);
  for (int m : {2, 12, 20}) {
    SCOPED_TRACE(m);
    std::vector<ShearCatalog> with{make_planar_catalog(m, 0.1, 0.0, 0.4),
                                   make_template_catalog(m, 0.1, 0.0),
                                   make_random_catalog(m, 0.1, 0.0, rng)};
    std::vector<ShearCatalog> without{make_planar_catalog(m, 0.1, 0.0, 0.4, false),
                                      make_template_catalog(m, 0.1, 0.0, false),
                                      make_random_catalog(m, 0.1, 0.0, rng, false)};
    for (const auto& c : with) {
      ASSERT_EQ(c.size(), m);
      EXPECT_LT(closest_pair_sum(c), 1e-12);  // contains ± pairs
      for (int k = 0; k < m / 2; ++k)         // mode k + M/2 = −mode k
        for (std::size_t v = 0; v < 6; ++v) EXPECT_NEAR(c.mode(k + m / 2)[v], -c.mode(k)[v], 1e-15);
    }
    for (const auto& c : without) {
      ASSERT_EQ(c.size(), m);
      expect_pure_shears(c);
      EXPECT_GT(closest_pair_sum(c), 0.02);  // no mode is (nearly) the negative of another
    }
  }
  // 2D: M axes a quarter turn apart in total, θ_k = θ0 + kπ/(2M).
  const ShearCatalog p = make_planar_catalog(2, 0.1, 0.0, 0.4, false);
  EXPECT_NEAR(p.mode(0)[kXY], 0.05 * std::sin(0.8), 1e-15);
  EXPECT_NEAR(p.mode(1)[kXY], 0.05 * std::sin(0.8 + units::pi / 2), 1e-15);
  // 3D template: the first M systems, one sense each (M = 2: the e1–e3 and e1–e2 shears).
  const ShearCatalog t = make_template_catalog(2, 0.1, 0.0, false);
  EXPECT_EQ(t.mode(0), (SymTensor{0, 0, 0, 0, 0.05, 0}));
  EXPECT_EQ(t.mode(1), (SymTensor{0, 0, 0, 0, 0, 0.05}));
  // Random without reverse modes: one rotation (three draws) per mode.
  Rng a(9, RngPurpose::test), b(9, RngPurpose::test);
  make_random_catalog(5, 0.1, 0.0, a, false);
  for (int k = 0; k < 15; ++k) uniform01(b);
  EXPECT_EQ(uniform01(a), uniform01(b));
}

TEST(ReverseModes, AOneSenseCatalogCannotYieldToTheReversedStress) {
  // The physical point: with ± pairs some mode always does positive work; without, a stress
  // that opposes every mode drives none — under reversed loading the domain is hard.
  for (bool reverse : {true, false}) {
    const ShearCatalog c = make_planar_catalog(2, 0.1, 0.0, 0.0, reverse);
    const SymTensor sigma =
        (-1.0) * (c.mode(0) + make_planar_catalog(2, 0.1, 0.0, 0.0, false).mode(1));
    double best = -1e300;
    for (const SymTensor& m : c) best = std::max(best, double_dot(sigma, m));
    if (reverse)
      EXPECT_GT(best, 0.0);
    else
      EXPECT_LT(best, 0.0);
  }
}

ModelParams mixed_params(bool reverse) {
  ModelParams p;
  StzTypeParams two;
  two.name = "mro_b";
  two.modes = 2;
  two.order = 10.0;
  two.orientation = OrientationPolicy::per_domain;
  two.reverse_modes = reverse;
  StzTypeParams twelve = two;
  twelve.name = "mro_a";
  twelve.modes = 12;
  twelve.order = 1.67;
  twelve.reverse_modes = true;
  p.types.push_back(two);
  p.types.push_back(twelve);
  return p;
}

// One domain (θ0 = 0.3) over the even voxels; its voxels alternate between types 1 and 2.
StructureMap mixed_domain(const Grid& g) {
  StructureMap s = make_matrix_structure(g);
  MroDomain d;
  d.type = 1;
  d.angle_rad = 0.3;
  d.rotation = rotation_about_z(0.3);
  for (std::size_t i = 0; i < g.size(); i += 2) {
    s.domain_id[i] = 0;
    s.type[i] = static_cast<std::int16_t>(i % 4 == 0 ? 1 : 2);
    ++d.voxel_count;
  }
  s.domains.push_back(d);
  s.mixed_types = true;
  return s;
}

TEST(MixedDomains, EveryTypeOfADomainSharesItsOrientation) {
  const Grid g = Grid::plane(8, 4);
  const StzModel m(g, mixed_params(true), mixed_domain(g), 3);
  for (std::size_t i = 0; i < g.size(); i += 2) {
    const int modes = i % 4 == 0 ? 2 : 12;
    ASSERT_EQ(m.mode_count(i), modes);
    const ShearCatalog expected = make_planar_catalog(modes, 0.1, 0.0, 0.3);
    for (int k = 0; k < modes; ++k)
      for (std::size_t v = 0; v < 6; ++v)
        EXPECT_NEAR(m.mode_tensor(i, k)[v], expected.mode(k)[v], 1e-8);  // stored as float
  }
  // The same map without the mixed flag breaks the structure invariant.
  StructureMap strict = mixed_domain(g);
  strict.mixed_types = false;
  EXPECT_THROW(StzModel(g, mixed_params(true), strict, 3), InternalError);
}

TEST(ReverseModes, TheModelBuildsWhatTheTypeAsks) {
  const Grid g = Grid::plane(8, 4);
  const StzModel with(g, mixed_params(true), mixed_domain(g), 3);
  const StzModel without(g, mixed_params(false), mixed_domain(g), 3);
  // Site 0: the 2-mode type, θ0 = 0.3.
  for (std::size_t v = 0; v < 6; ++v)
    EXPECT_EQ(with.mode_tensor(0, 1)[v], -with.mode_tensor(0, 0)[v]);
  const ShearCatalog one_sense = make_planar_catalog(2, 0.1, 0.0, 0.3, false);
  for (int k = 0; k < 2; ++k)
    for (std::size_t v = 0; v < 6; ++v)
      EXPECT_NEAR(without.mode_tensor(0, k)[v], one_sense.mode(k)[v], 1e-8);
  // Site 2 (the 12-mode type keeps its ± pairs) and matrix sites are unchanged.
  EXPECT_EQ(with.mode_tensor(2, 3), without.mode_tensor(2, 3));
  EXPECT_EQ(with.mode_tensor(1, 7), without.mode_tensor(1, 7));
}

TEST(SofteningScale, ReplacesOneOverOrderForFreeVolumeAndSoftening) {
  const Grid g = Grid::plane(8, 4);
  ModelParams p = mixed_params(true);
  const auto& fv = p.free_volume;
  EXPECT_DOUBLE_EQ(p.types[1].resolved_softening_scale(), 0.1);  // default 1/order
  {
    StzModel m(g, p, mixed_domain(g), 3);
    m.fire(0, 0, 1.0);
    EXPECT_DOUBLE_EQ(m.permanent_free_volume()[0], 0.1 * fv.permanent_per_event);
  }
  p.types[1].softening_scale = 0.5;  // the 2-fold type softens half as much as the matrix
  p.types[0].softening_scale = 2.0;
  StzModel m(g, p, mixed_domain(g), 3);
  m.fire(0, 0, 1.0);
  EXPECT_DOUBLE_EQ(m.permanent_free_volume()[0], 0.5 * fv.permanent_per_event);
  EXPECT_DOUBLE_EQ(m.transient_free_volume(0, 1.0), 0.5 * fv.transient_per_event);
  EXPECT_REL_NEAR(
      m.softening(0, 1.0),
      fv.softening_coefficient * 0.5 * (fv.permanent_per_event + fv.transient_per_event), 1e-12);
  m.fire(1, 0, 1.0);  // matrix
  EXPECT_DOUBLE_EQ(m.permanent_free_volume()[1], 2.0 * fv.permanent_per_event);
  // Relative free volume: ξp / (permanent_max × s): both sites are at c_p / permanent_max.
  const auto rel = m.relative_permanent_free_volume();
  EXPECT_DOUBLE_EQ(rel[0], fv.permanent_per_event / fv.permanent_max);
  EXPECT_DOUBLE_EQ(rel[1], fv.permanent_per_event / fv.permanent_max);
  EXPECT_EQ(rel[3], 0.0);
  // Validation names the key.
  p.types[1].softening_scale = -1.0;
  try {
    p.validate();
    ADD_FAILURE() << "negative softening scale accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("types.mro_b.softening_scale"), std::string::npos);
  }
}

}  // namespace
}  // namespace stz
