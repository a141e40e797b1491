#include "libstz/grid/grid.hpp"

#include <string>

#include "libstz/core/error.hpp"

namespace stz {

Grid::Grid(std::array<int, 3> shape, int dimension, double voxel_nm)
    : m_shape(shape), m_dimension(dimension), m_voxel_nm(voxel_nm), m_size(0) {
  if (dimension != 2 && dimension != 3)
    throw ConfigError("grid.shape", std::to_string(dimension) + " entries", "2 (2D) or 3 (3D)");
  const std::string shape_text = "[" + std::to_string(shape[0]) + ", " + std::to_string(shape[1]) +
                                 (dimension == 3 ? ", " + std::to_string(shape[2]) : "") + "]";
  for (int a = 0; a < dimension; ++a)
    if (shape[static_cast<std::size_t>(a)] < 2)
      throw ConfigError("grid.shape", shape_text, "every extent must be an integer >= 2");
  if (dimension == 2 && shape[2] != 1)
    throw ConfigError("grid.shape", shape_text, "a 2D grid has nz = 1");
  std::size_t n = 1;
  for (int e : shape) n *= static_cast<std::size_t>(e);
  if (n > (std::size_t{1} << 31))
    throw ConfigError("grid.shape", shape_text, "at most 2^31 voxels");
  if (!(voxel_nm > 0.0) || voxel_nm > 1e3)
    throw ConfigError("grid.voxel_nm", to_display(voxel_nm), "a length in (0, 1000] nm");
  m_size = n;
}

std::size_t Grid::wrapped_index(long x, long y, long z) const {
  auto wrap = [](long v, int n) {
    long r = v % n;
    return static_cast<int>(r < 0 ? r + n : r);
  };
  return index(wrap(x, m_shape[0]), wrap(y, m_shape[1]), wrap(z, m_shape[2]));
}

int Grid::minimum_image(int delta, int axis) const {
  const int n = extent(axis);
  int d = delta % n;
  if (d < 0) d += n;
  if (d > n / 2) d -= n;
  return d;
}

}  // namespace stz
