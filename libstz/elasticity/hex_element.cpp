#include "libstz/elasticity/hex_element.hpp"

#include <cmath>

namespace stz {

std::array<Eigen::Vector3d, 8> HexElement::gauss_points() {
  const double d = 0.5 / std::sqrt(3.0);
  const double q[2] = {0.5 - d, 0.5 + d};
  std::array<Eigen::Vector3d, 8> points;
  for (int g = 0; g < 8; ++g) points[g] = {q[g & 1], q[(g >> 1) & 1], q[(g >> 2) & 1]};
  return points;
}

Eigen::Matrix<double, 8, 3> HexElement::shape_gradients(const Eigen::Vector3d& xi, double a) {
  Eigen::Matrix<double, 8, 3> grad;
  for (int c = 0; c < kNodes; ++c) {
    const auto o = node_offset(c);
    double phi[3], dphi[3];
    for (int i = 0; i < 3; ++i) {
      phi[i] = o[i] ? xi[i] : 1.0 - xi[i];
      dphi[i] = (o[i] ? 1.0 : -1.0) / a;
    }
    grad(c, 0) = dphi[0] * phi[1] * phi[2];
    grad(c, 1) = phi[0] * dphi[1] * phi[2];
    grad(c, 2) = phi[0] * phi[1] * dphi[2];
  }
  return grad;
}

Eigen::Matrix<double, 6, 24> HexElement::strain_matrix(const Eigen::Vector3d& xi, double a) {
  const auto g = shape_gradients(xi, a);
  Eigen::Matrix<double, 6, 24> b = Eigen::Matrix<double, 6, 24>::Zero();
  for (int c = 0; c < kNodes; ++c) {
    const int d = 3 * c;
    b(kXX, d + 0) = g(c, 0);
    b(kYY, d + 1) = g(c, 1);
    b(kZZ, d + 2) = g(c, 2);
    b(kYZ, d + 1) = 0.5 * g(c, 2);
    b(kYZ, d + 2) = 0.5 * g(c, 1);
    b(kXZ, d + 0) = 0.5 * g(c, 2);
    b(kXZ, d + 2) = 0.5 * g(c, 0);
    b(kXY, d + 0) = 0.5 * g(c, 1);
    b(kXY, d + 1) = 0.5 * g(c, 0);
  }
  return b;
}

namespace {
Eigen::Matrix<double, 6, 6> work_weighted_stiffness(const IsotropicElasticity& elasticity) {
  Eigen::Matrix<double, 6, 6> wc = elasticity.tensor_stiffness();
  wc.bottomRows<3>() *= 2.0;
  return wc;
}
}  // namespace

Eigen::Matrix<double, 24, 24> HexElement::stiffness(const IsotropicElasticity& elasticity,
                                                    double a) {
  const Eigen::Matrix<double, 6, 6> wc = work_weighted_stiffness(elasticity);
  const double weight = a * a * a / 8.0;
  Eigen::Matrix<double, 24, 24> k = Eigen::Matrix<double, 24, 24>::Zero();
  for (const auto& xi : gauss_points()) {
    const auto b = strain_matrix(xi, a);
    k += weight * b.transpose() * wc * b;
  }
  return k;
}

Eigen::Matrix<double, 24, 1> HexElement::eigenstrain_load(const IsotropicElasticity& elasticity,
                                                          const SymTensor& eigenstrain, double a) {
  const Eigen::Matrix<double, 6, 6> wc = work_weighted_stiffness(elasticity);
  const Eigen::Map<const Eigen::Matrix<double, 6, 1>> e(eigenstrain.data());
  // The strain matrix is linear in each coordinate, so its volume average is its centre value.
  const auto b = strain_matrix(Eigen::Vector3d(0.5, 0.5, 0.5), a);
  return a * a * a * b.transpose() * (wc * e);
}

}  // namespace stz
