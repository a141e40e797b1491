#include "libstz/analysis/von_mises.hpp"

#include <cmath>

#include "libstz/core/error.hpp"

namespace stz {

double von_mises_strain(const SymTensor& e) {
  const double dxy = e[kXX] - e[kYY], dyz = e[kYY] - e[kZZ], dzx = e[kZZ] - e[kXX];
  return std::sqrt(e[kYZ] * e[kYZ] + e[kXZ] * e[kXZ] + e[kXY] * e[kXY] +
                   (dxy * dxy + dyz * dyz + dzx * dzx) / 6.0);
}

double von_mises_strain_planar(const SymTensor& e) {
  const double d = e[kXX] - e[kYY];
  return std::sqrt(e[kXY] * e[kXY] + 0.25 * d * d);
}

ScalarField von_mises_field(const Grid& grid, const TensorField& strain) {
  STZ_REQUIRE(strain.voxels() == grid.size(), "strain field has ", strain.voxels(),
              " voxels, grid ", grid.size());
  ScalarField out(grid, 1);
  const auto n = static_cast<std::ptrdiff_t>(grid.size());
  const bool planar = grid.dimension() == 2;
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const SymTensor e = strain.at(static_cast<std::size_t>(i));
    out(0, static_cast<std::size_t>(i)) = planar ? von_mises_strain_planar(e) : von_mises_strain(e);
  }
  return out;
}

}  // namespace stz
