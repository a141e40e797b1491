// Elastic uniaxial tension in the mean (SPEC 4.4): slope = Young's modulus (plane-strain modulus
// in 2D), lateral strain ratio = ν (ν/(1−ν) in 2D). Closed form, so the tolerance is round-off.
#include <gtest/gtest.h>

#include "libstz/core/error.hpp"
#include "libstz/loading/mean_field_loading.hpp"
#include "tests/support/tolerance.hpp"

namespace stz {
namespace {

const IsotropicElasticity kVitreloy(92.1, 0.387);

TEST(MeanFieldLoading, ThreeDimensionalTensionGivesYoungsModulusAndPoisson) {
  const MeanFieldLoading load(kVitreloy, 3, LoadingMode::tension, 2);
  const double strain = 0.013;
  const MeanState s = load.state(strain, SymTensor{});
  EXPECT_REL_NEAR(s.stress[kZZ] / strain, 92.1, 1e-10);
  EXPECT_REL_NEAR(-s.strain[kXX] / s.strain[kZZ], 0.387, 1e-10);
  EXPECT_REL_NEAR(-s.strain[kYY] / s.strain[kZZ], 0.387, 1e-10);
  for (int v : {kXX, kYY, kYZ, kXZ, kXY}) EXPECT_EQ(s.stress[v], 0.0);
  EXPECT_REL_NEAR(load.apparent_modulus(), 92.1, 1e-10);
}

TEST(MeanFieldLoading, PlaneStrainTensionGivesPlaneStrainModulus) {
  const MeanFieldLoading load(kVitreloy, 2, LoadingMode::tension, 1);
  const double strain = 0.02;
  const MeanState s = load.state(strain, SymTensor{});
  EXPECT_REL_NEAR(s.stress[kYY] / strain, 92.1 / (1 - 0.387 * 0.387), 1e-10);
  EXPECT_REL_NEAR(-s.strain[kXX] / s.strain[kYY], 0.387 / (1 - 0.387), 1e-10);
  EXPECT_EQ(s.strain[kZZ], 0.0);
  EXPECT_REL_NEAR(s.stress[kZZ], 0.387 * s.stress[kYY], 1e-10);  // σ_zz = ν σ_yy
}

TEST(MeanFieldLoading, EigenstrainShiftsTheElasticStrain) {
  // σ = E_Y (E_aa − ⟨ε*_aa⟩); lateral E = ⟨ε*⟩ − ν σ/E_Y; shears follow the eigenstrain.
  const MeanFieldLoading load(kVitreloy, 3, LoadingMode::tension, 2);
  const SymTensor eig{0.001, -0.002, 0.004, 0.0005, 0.0, -0.0003};
  const MeanState s = load.state(0.02, eig);
  const double sigma = 92.1 * (0.02 - 0.004);
  EXPECT_REL_NEAR(s.stress[kZZ], sigma, 1e-10);
  EXPECT_REL_NEAR(s.strain[kXX], 0.001 - 0.387 * sigma / 92.1, 1e-10);
  EXPECT_REL_NEAR(s.strain[kYZ], 0.0005, 1e-12);
  EXPECT_REL_NEAR(s.strain[kXY], -0.0003, 1e-12);
  EXPECT_REL_NEAR(load.reported_stress(s.stress), sigma, 1e-12);
}

TEST(MeanFieldLoading, CompressionAndShear) {
  const MeanFieldLoading comp(kVitreloy, 3, LoadingMode::compression, 2);
  const MeanState c = comp.state(0.01, SymTensor{});
  EXPECT_REL_NEAR(c.stress[kZZ], -0.921, 1e-10);
  EXPECT_REL_NEAR(comp.reported_stress(c.stress), 0.921, 1e-10);
  const MeanFieldLoading shear(kVitreloy, 2, LoadingMode::shear, 1);
  const MeanState s = shear.state(0.01, SymTensor{});  // engineering shear γ = 0.01
  EXPECT_REL_NEAR(s.stress[kXY], kVitreloy.shear_modulus_GPa() * 0.01, 1e-10);
  EXPECT_EQ(s.stress[kXX], 0.0);
  EXPECT_EQ(shear.loaded_component(), kXY);
}

TEST(MeanFieldLoading, BadInputsAreConfigErrors) {
  EXPECT_THROW(MeanFieldLoading(kVitreloy, 2, LoadingMode::tension, 2), ConfigError);
  EXPECT_THROW(MeanFieldLoading(kVitreloy, 3, LoadingMode::shear, 0), ConfigError);
  EXPECT_THROW(parse_loading_mode("torsion"), ConfigError);
  EXPECT_EQ(parse_loading_mode("compression"), LoadingMode::compression);
}

}  // namespace
}  // namespace stz
