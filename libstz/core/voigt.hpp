// Symmetric second-rank tensors in Voigt order (xx, yy, zz, yz, xz, xy).
// Convention: a SymTensor always holds TENSOR shear entries (ε_ij, σ_ij), never engineering
// shears (2ε_ij). Conversions are explicit, so the double contraction a:b below is
//   a:b = a_xx b_xx + a_yy b_yy + a_zz b_zz + 2 (a_yz b_yz + a_xz b_xz + a_xy b_xy).
#pragma once

#include <array>
#include <cstddef>

#include <Eigen/Core>

namespace stz {

/// Voigt positions.
enum Voigt : int { kXX = 0, kYY = 1, kZZ = 2, kYZ = 3, kXZ = 4, kXY = 5 };
inline constexpr int kVoigtSize = 6;

/// Symmetric tensor, Voigt order, tensor shear entries.
using SymTensor = std::array<double, 6>;

/// Voigt index of the tensor entry (i, j), i, j in {0, 1, 2}.
constexpr int voigt_index(int i, int j) {
  if (i == j) return i;
  const int sum = i + j;  // (1,2)->3 yz, (0,2)->2 -> 4 xz, (0,1)->1 -> 5 xy
  return sum == 3 ? kYZ : (sum == 2 ? kXZ : kXY);
}

/// Weight of a Voigt entry in a double contraction of tensor-shear vectors (1 or 2).
constexpr double voigt_contraction_weight(int v) {
  return v < 3 ? 1.0 : 2.0;
}

/// a : b (full double contraction of two symmetric tensors).
inline double double_dot(const SymTensor& a, const SymTensor& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + 2.0 * (a[3] * b[3] + a[4] * b[4] + a[5] * b[5]);
}

inline SymTensor tensor_to_engineering(SymTensor t) {
  t[3] *= 2.0;
  t[4] *= 2.0;
  t[5] *= 2.0;
  return t;
}

inline SymTensor engineering_to_tensor(SymTensor t) {
  t[3] *= 0.5;
  t[4] *= 0.5;
  t[5] *= 0.5;
  return t;
}

inline Eigen::Matrix3d to_matrix(const SymTensor& t) {
  Eigen::Matrix3d m;
  m << t[kXX], t[kXY], t[kXZ], t[kXY], t[kYY], t[kYZ], t[kXZ], t[kYZ], t[kZZ];
  return m;
}

/// Symmetric part of m in Voigt order.
inline SymTensor from_matrix(const Eigen::Matrix3d& m) {
  return {m(0, 0),
          m(1, 1),
          m(2, 2),
          0.5 * (m(1, 2) + m(2, 1)),
          0.5 * (m(0, 2) + m(2, 0)),
          0.5 * (m(0, 1) + m(1, 0))};
}

inline SymTensor operator+(const SymTensor& a, const SymTensor& b) {
  SymTensor r;
  for (std::size_t v = 0; v < 6; ++v) r[v] = a[v] + b[v];
  return r;
}

inline SymTensor operator-(const SymTensor& a, const SymTensor& b) {
  SymTensor r;
  for (std::size_t v = 0; v < 6; ++v) r[v] = a[v] - b[v];
  return r;
}

inline SymTensor operator*(double s, const SymTensor& a) {
  SymTensor r;
  for (std::size_t v = 0; v < 6; ++v) r[v] = s * a[v];
  return r;
}

inline double trace(const SymTensor& t) {
  return t[0] + t[1] + t[2];
}

}  // namespace stz
