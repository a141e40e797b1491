#include <gtest/gtest.h>

#include "libstz/core/error.hpp"
#include "libstz/elasticity/isotropic_elasticity.hpp"

namespace stz {
namespace {

TEST(IsotropicElasticity, LameConstantsAndUniaxialStress) {
  const IsotropicElasticity c(92.1, 0.387);
  EXPECT_NEAR(c.shear_modulus_GPa(), 92.1 / (2 * 1.387), 1e-12);
  // Uniaxial stress state: ε = (σ/E)(−ν, −ν, 1) gives σ_zz = σ and zero lateral stress.
  const double s = 1.5;
  const SymTensor eps{-0.387 * s / 92.1, -0.387 * s / 92.1, s / 92.1, 0, 0, 0};
  const SymTensor sig = c.stress(eps);
  EXPECT_NEAR(sig[kZZ], s, 1e-12);
  EXPECT_NEAR(sig[kXX], 0.0, 1e-12);
  // Shear: σ_xy = 2μ ε_xy with tensor shears.
  EXPECT_NEAR(c.stress(SymTensor{0, 0, 0, 0, 0, 0.01})[kXY], 2 * c.shear_modulus_GPa() * 0.01,
              1e-14);
}

TEST(IsotropicElasticity, MatrixFormMatchesEntryForm) {
  const IsotropicElasticity c(70.0, 0.3);
  const SymTensor eps{1e-3, -2e-3, 5e-4, 1e-3, -4e-4, 2e-4};
  const Eigen::Matrix<double, 6, 1> v =
      c.tensor_stiffness() * Eigen::Map<const Eigen::Matrix<double, 6, 1>>(eps.data());
  const SymTensor s = c.stress(eps);
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(v[i], s[i], 1e-12);
}

TEST(IsotropicElasticity, RejectsUnphysicalConstants) {
  EXPECT_THROW(IsotropicElasticity(-1.0, 0.3), ConfigError);
  EXPECT_THROW(IsotropicElasticity(90.0, 0.5), ConfigError);
  EXPECT_THROW(IsotropicElasticity(90.0, -1.0), ConfigError);
}

}  // namespace
}  // namespace stz
