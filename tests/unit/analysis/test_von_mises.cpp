// Von Mises strain invariants against hand-computed tensors, invariance under rotation, and the
// field version's choice of form and thread-count independence.
#include <cmath>

#include <gtest/gtest.h>

#include "libstz/analysis/von_mises.hpp"
#include "libstz/core/parallel.hpp"
#include "libstz/core/rng.hpp"
#include "libstz/core/units.hpp"
#include "tests/support/tolerance.hpp"

namespace stz {
namespace {

// Every tolerance below is a few ulps of double arithmetic on O(1e-2) values (1e-13 relative).
constexpr double kRoundoff = 1e-13;

TEST(VonMises, SimpleShearIsTheTensorShear) {
  const SymTensor e{0, 0, 0, 0, 0, 0.05};  // tensor ε_xy = 0.05 (engineering 0.1)
  EXPECT_REL_NEAR(von_mises_strain(e), 0.05, kRoundoff);
  EXPECT_REL_NEAR(von_mises_strain_planar(e), 0.05, kRoundoff);
}

TEST(VonMises, PureShearInPrincipalAxesEqualsSimpleShear) {
  // diag(γ/2, −γ/2, 0) is the 45°-rotated simple shear of tensor shear γ/2.
  const SymTensor e{0.05, -0.05, 0, 0, 0, 0};
  EXPECT_REL_NEAR(von_mises_strain(e), 0.05, kRoundoff);
  EXPECT_REL_NEAR(von_mises_strain_planar(e), 0.05, kRoundoff);
}

TEST(VonMises, UniaxialStrain) {
  const SymTensor e{0.1, 0, 0, 0, 0, 0};
  // 3D: sqrt((0.1² + 0 + 0.1²)/6) = 0.1/sqrt(3); planar: sqrt(0.1²/4) = 0.05.
  EXPECT_REL_NEAR(von_mises_strain(e), 0.1 / std::sqrt(3.0), kRoundoff);
  EXPECT_REL_NEAR(von_mises_strain_planar(e), 0.05, kRoundoff);
}

TEST(VonMises, HydrostaticStrainHasNoShear) {
  const SymTensor e{0.03, 0.03, 0.03, 0, 0, 0};
  EXPECT_EQ(von_mises_strain(e), 0.0);
  EXPECT_EQ(von_mises_strain_planar(e), 0.0);
}

TEST(VonMises, GeneralTensorByHand) {
  const SymTensor e{0.01, -0.02, 0.005, 0.003, -0.004, 0.006};
  // Shears: 0.003² + 0.004² + 0.006² = 6.1e-5. Normal differences 0.03, −0.025, −0.005:
  // (9e-4 + 6.25e-4 + 2.5e-5)/6 = 1.55e-3/6.
  EXPECT_REL_NEAR(von_mises_strain(e), std::sqrt(6.1e-5 + 1.55e-3 / 6.0), kRoundoff);
  // Planar: 0.006² + 0.03²/4 = 3.6e-5 + 2.25e-4.
  EXPECT_REL_NEAR(von_mises_strain_planar(e), std::sqrt(2.61e-4), kRoundoff);
}

TEST(VonMises, InvariantUnderRotation) {
  Rng rng(11, RngPurpose::test);
  for (int trial = 0; trial < 20; ++trial) {
    SymTensor e;
    for (double& v : e) v = 0.05 * standard_normal(rng);
    const Eigen::Matrix3d r = random_rotation(rng);
    const SymTensor rotated = from_matrix(r * to_matrix(e) * r.transpose());
    EXPECT_REL_NEAR(von_mises_strain(rotated), von_mises_strain(e), 1e-12);

    // In-plane rotation about z leaves the planar form unchanged.
    const double t = 2.0 * units::pi * uniform01(rng);
    Eigen::Matrix3d rz = Eigen::Matrix3d::Identity();
    rz(0, 0) = std::cos(t), rz(0, 1) = -std::sin(t), rz(1, 0) = std::sin(t), rz(1, 1) = std::cos(t);
    const SymTensor in_plane = from_matrix(rz * to_matrix(e) * rz.transpose());
    EXPECT_REL_NEAR(von_mises_strain_planar(in_plane), von_mises_strain_planar(e), 1e-12);
  }
}

TensorField random_tensor_field(const Grid& grid, std::uint64_t seed) {
  Rng rng(seed, RngPurpose::test);
  TensorField f(grid);
  for (std::size_t i = 0; i < grid.size(); ++i) {
    SymTensor e;
    for (double& v : e) v = 0.02 * standard_normal(rng);
    f.set(i, e);
  }
  return f;
}

// The compiler may fuse multiply-adds differently in the inlined loop (-march=native, GNU
// -ffp-contract=fast): equal to the last bits only, hence 1e-15 relative.
TEST(VonMises, FieldPicksTheFormByDimension) {
  const Grid plane = Grid::plane(12, 10);
  const TensorField f2 = random_tensor_field(plane, 3);
  const ScalarField v2 = von_mises_field(plane, f2);
  ASSERT_EQ(v2.voxels(), plane.size());
  for (std::size_t i = 0; i < plane.size(); ++i)
    EXPECT_REL_NEAR(v2(0, i), von_mises_strain_planar(f2.at(i)), 1e-15);

  const Grid box = Grid::box(5, 6, 7);
  const TensorField f3 = random_tensor_field(box, 4);
  const ScalarField v3 = von_mises_field(box, f3);
  for (std::size_t i = 0; i < box.size(); ++i)
    EXPECT_REL_NEAR(v3(0, i), von_mises_strain(f3.at(i)), 1e-15);
}

TEST(VonMises, FieldIsThreadCountIndependent) {
  const Grid box = Grid::box(16, 16, 16);
  const TensorField f = random_tensor_field(box, 5);
  const int saved = max_threads();
  set_threads(1);
  const ScalarField one = von_mises_field(box, f);
  set_threads(3);
  const ScalarField three = von_mises_field(box, f);
  set_threads(saved);
  for (std::size_t i = 0; i < box.size(); ++i) ASSERT_EQ(one(0, i), three(0, i));
}

}  // namespace
}  // namespace stz
