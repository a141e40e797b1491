// Shared helpers of the elasticity reference tests.
#pragma once

#include <cmath>

#include "libstz/core/rng.hpp"
#include "libstz/grid/voxel_field.hpp"

namespace stz::testing {

/// Random eigenstrain field, every component uniform in [−amplitude, amplitude].
inline TensorField random_eigenstrain(const Grid& grid, std::uint64_t seed, double amplitude) {
  Rng rng(seed, RngPurpose::test);
  TensorField f(grid);
  for (int v = 0; v < 6; ++v)
    for (auto& x : f.component(v)) x = amplitude * (2.0 * uniform01(rng) - 1.0);
  return f;
}

/// A voxelised ball (3D) or disc (2D) of the given radius (voxels) centred at the voxel
/// `centre`, with the uniform eigenstrain `value` inside (voxel centres within the radius).
inline TensorField inclusion(const Grid& grid, std::array<int, 3> centre, double radius,
                             const SymTensor& value) {
  TensorField f(grid);
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const auto c = grid.coords(i);
    double r2 = 0.0;
    for (int a = 0; a < grid.dimension(); ++a) {
      const double d = grid.minimum_image(c[a] - centre[a], a);
      r2 += d * d;
    }
    if (r2 <= radius * radius) f.set(i, value);
  }
  return f;
}

}  // namespace stz::testing

namespace stz::testing {

/// Like inclusion(), but each voxel's eigenstrain is weighted by the fraction of its volume
/// inside the ball / disc (8 sub-samples per axis): a continuum inclusion without staircase.
inline TensorField smooth_inclusion(const Grid& grid, std::array<int, 3> centre, double radius,
                                    const SymTensor& value) {
  constexpr int kSub = 8;
  const int dim = grid.dimension();
  const int sub_z = dim == 3 ? kSub : 1;
  TensorField f(grid);
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const auto c = grid.coords(i);
    double d[3];
    for (int a = 0; a < 3; ++a) d[a] = a < dim ? grid.minimum_image(c[a] - centre[a], a) : 0.0;
    if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] > (radius + 1.0) * (radius + 1.0)) continue;
    int inside = 0;
    for (int sx = 0; sx < kSub; ++sx)
      for (int sy = 0; sy < kSub; ++sy)
        for (int sz = 0; sz < sub_z; ++sz) {
          const double x = d[0] + (sx + 0.5) / kSub - 0.5, y = d[1] + (sy + 0.5) / kSub - 0.5;
          const double z = dim == 3 ? d[2] + (sz + 0.5) / kSub - 0.5 : 0.0;
          inside += x * x + y * y + z * z <= radius * radius;
        }
    if (inside > 0) f.set(i, (static_cast<double>(inside) / (kSub * kSub * sub_z)) * value);
  }
  return f;
}

}  // namespace stz::testing
