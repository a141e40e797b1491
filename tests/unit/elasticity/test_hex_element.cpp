#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "libstz/elasticity/hex_element.hpp"

namespace stz {
namespace {

const IsotropicElasticity kVitreloy(92.1, 0.387);

TEST(HexElement, StiffnessIsSymmetricWithSixRigidModes) {
  const auto k = HexElement::stiffness(kVitreloy, 1.0);
  EXPECT_LT((k - k.transpose()).norm(), 1e-12 * k.norm());
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix<double, 24, 24>> eig(k);
  int zero_modes = 0;
  for (int i = 0; i < 24; ++i) {
    EXPECT_GT(eig.eigenvalues()[i], -1e-10 * k.norm());
    if (eig.eigenvalues()[i] < 1e-10 * k.norm()) ++zero_modes;
  }
  // Full 2×2×2 integration: only the 3 translations and 3 rotations cost no energy
  // (no hourglass modes).
  EXPECT_EQ(zero_modes, 6);
}

TEST(HexElement, ReproducesUniformStrainExactly) {
  // Patch test: nodal displacements u = ε·x give the strain ε at every point.
  const double a = 1.3;
  const SymTensor eps{1e-3, -2e-3, 3e-4, 5e-4, -7e-4, 2e-4};
  const Eigen::Matrix3d e = to_matrix(eps);
  Eigen::Matrix<double, 24, 1> u;
  for (int c = 0; c < 8; ++c) {
    const auto o = HexElement::node_offset(c);
    const Eigen::Vector3d x(a * o[0], a * o[1], a * o[2]);
    u.segment<3>(3 * c) = e * x;
  }
  for (const auto& xi : HexElement::gauss_points()) {
    const Eigen::Matrix<double, 6, 1> s = HexElement::strain_matrix(xi, a) * u;
    for (int v = 0; v < 6; ++v) EXPECT_NEAR(s[v], eps[v], 1e-15);
  }
}

TEST(HexElement, EigenstrainLoadIsWorkConjugate) {
  // u·f(ε*) = V σ(ε*):ε(u) for a uniform strain field u = ε·x.
  const double a = 0.8;
  const SymTensor eps_star{0, 0, 0, 0, 0, 0.05};
  const SymTensor eps{1e-3, 2e-3, -1e-3, 3e-4, 4e-4, -6e-4};
  Eigen::Matrix<double, 24, 1> u;
  for (int c = 0; c < 8; ++c) {
    const auto o = HexElement::node_offset(c);
    u.segment<3>(3 * c) = to_matrix(eps) * Eigen::Vector3d(a * o[0], a * o[1], a * o[2]);
  }
  const double work = u.dot(HexElement::eigenstrain_load(kVitreloy, eps_star, a));
  EXPECT_NEAR(work, a * a * a * double_dot(kVitreloy.stress(eps_star), eps), 1e-15);
}

}  // namespace
}  // namespace stz
