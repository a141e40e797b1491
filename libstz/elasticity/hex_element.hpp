// The trilinear 8-node hexahedral element on a cubic voxel of edge a, with full 2×2×2 Gauss
// integration. Node c (0..7) sits at the voxel corner offset (c & 1, (c >> 1) & 1, (c >> 2) & 1).
// Element degrees of freedom are ordered (node, component): dof = 3·c + i.
#pragma once

#include <array>

#include <Eigen/Core>

#include "libstz/core/voigt.hpp"
#include "libstz/elasticity/isotropic_elasticity.hpp"

namespace stz {

struct HexElement {
  static constexpr int kNodes = 8;
  static constexpr int kDofs = 24;

  static std::array<int, 3> node_offset(int c) { return {c & 1, (c >> 1) & 1, (c >> 2) & 1}; }
  /// Local Gauss points in [0, 1]³ (each of weight 1/8 of the element volume).
  static std::array<Eigen::Vector3d, 8> gauss_points();
  /// ∂N_c/∂x_i (row c) at the local point xi ∈ [0, 1]³, for edge a (nm).
  static Eigen::Matrix<double, 8, 3> shape_gradients(const Eigen::Vector3d& xi, double a);
  /// Strain–displacement matrix (6×24, tensor-shear rows) at the local point xi.
  static Eigen::Matrix<double, 6, 24> strain_matrix(const Eigen::Vector3d& xi, double a);
  /// Element stiffness ∫ Bᵀ W C B dV (W = diag(1,1,1,2,2,2) turns tensor shears into work).
  static Eigen::Matrix<double, 24, 24> stiffness(const IsotropicElasticity& elasticity, double a);
  /// Nodal forces of a uniform eigenstrain: ∫ Bᵀ W C ε* dV.
  static Eigen::Matrix<double, 24, 1> eigenstrain_load(const IsotropicElasticity& elasticity,
                                                       const SymTensor& eigenstrain, double a);
};

}  // namespace stz
