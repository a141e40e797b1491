// Periodic voxel grid. 2D boxes are nx×ny×1 (plane strain, one voxel thick); 3D boxes nx×ny×nz.
// Memory layout: row-major with z fastest, index = (x·ny + y)·nz + z. Voxel (x, y, z) occupies
// [x, x+1)·a × [y, y+1)·a × [z, z+1)·a; its finite-element nodes sit at its corners, and the node
// with the voxel's own index is its lower corner (x, y, z)·a.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace stz {

class Grid {
 public:
  /// shape = {nx, ny, nz}; dimension 2 requires nz == 1. Throws ConfigError on bad values.
  Grid(std::array<int, 3> shape, int dimension, double voxel_nm = 1.0);
  /// 2D plane-strain grid nx×ny.
  static Grid plane(int nx, int ny, double voxel_nm = 1.0) {
    return Grid({nx, ny, 1}, 2, voxel_nm);
  }
  /// 3D grid nx×ny×nz.
  static Grid box(int nx, int ny, int nz, double voxel_nm = 1.0) {
    return Grid({nx, ny, nz}, 3, voxel_nm);
  }

  int dimension() const { return m_dimension; }
  const std::array<int, 3>& shape() const { return m_shape; }
  int extent(int axis) const { return m_shape[static_cast<std::size_t>(axis)]; }
  std::size_t size() const { return m_size; }
  double voxel_nm() const { return m_voxel_nm; }
  /// Volume of one voxel (2D: a² × a of thickness), nm³.
  double voxel_volume_nm3() const { return m_voxel_nm * m_voxel_nm * m_voxel_nm; }
  /// The default tensile axis: the last grid axis of the dimension (y in 2D, z in 3D).
  int default_axis() const { return m_dimension - 1; }

  std::size_t index(int x, int y, int z) const {
    return (static_cast<std::size_t>(x) * static_cast<std::size_t>(m_shape[1]) +
            static_cast<std::size_t>(y)) *
               static_cast<std::size_t>(m_shape[2]) +
           static_cast<std::size_t>(z);
  }
  /// Index with each coordinate wrapped periodically (any integer accepted).
  std::size_t wrapped_index(long x, long y, long z) const;
  /// Index of the periodic offset target − source of two in-grid coordinates (what
  /// wrapped_index gives for it, with one conditional add per axis instead of a modulo): where
  /// a response kernel of a source voxel is read for a target voxel.
  std::size_t offset_index(const std::array<int, 3>& target,
                           const std::array<int, 3>& source) const {
    int dx = target[0] - source[0], dy = target[1] - source[1], dz = target[2] - source[2];
    dx += dx < 0 ? m_shape[0] : 0;
    dy += dy < 0 ? m_shape[1] : 0;
    dz += dz < 0 ? m_shape[2] : 0;
    return index(dx, dy, dz);
  }
  std::array<int, 3> coords(std::size_t index) const {
    const auto nz = static_cast<std::size_t>(m_shape[2]);
    const auto ny = static_cast<std::size_t>(m_shape[1]);
    return {static_cast<int>(index / (ny * nz)), static_cast<int>((index / nz) % ny),
            static_cast<int>(index % nz)};
  }
  /// Minimum-image separation b − a along an axis, in voxels, in (−n/2, n/2].
  int minimum_image(int delta, int axis) const;

  bool operator==(const Grid& other) const = default;

 private:
  std::array<int, 3> m_shape;
  int m_dimension;
  double m_voxel_nm;
  std::size_t m_size;
};

}  // namespace stz
