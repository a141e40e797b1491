#include "libstz/grid/stz_cluster.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "libstz/core/error.hpp"

namespace stz {

StzCluster::StzCluster(std::vector<Offset> offsets) : m_offsets(std::move(offsets)) {
  std::sort(m_offsets.begin(), m_offsets.end());
  for (const auto& u : m_offsets)
    for (const auto& w : m_offsets) m_overlap.push_back({u[0] - w[0], u[1] - w[1], u[2] - w[2]});
  std::sort(m_overlap.begin(), m_overlap.end());
  m_overlap.erase(std::unique(m_overlap.begin(), m_overlap.end()), m_overlap.end());
}

void StzCluster::check_fits(const Grid& grid, const std::vector<Offset>& offsets, const char* key,
                            const std::string& value) {
  // A cluster must not wrap onto itself: its voxels stay distinct and its overlap set (C − C)
  // is the real neighbourhood. Reach r needs an extent of at least 2r + 1 along every axis.
  int reach = 0;
  for (const auto& u : offsets)
    for (int a = 0; a < 3; ++a) reach = std::max(reach, std::abs(u[static_cast<std::size_t>(a)]));
  for (int a = 0; a < grid.dimension(); ++a)
    if (grid.extent(a) < 4 * reach + 1)
      throw ConfigError(key, value,
                        "a cluster whose overlap neighbourhood (4 × reach + 1 = " +
                            std::to_string(4 * reach + 1) +
                            " voxels) fits inside every box extent (smallest " +
                            std::to_string(*std::min_element(
                                grid.shape().begin(), grid.shape().begin() + grid.dimension())) +
                            ")");
}

StzCluster StzCluster::sphere(const Grid& grid, double radius_nm) {
  const std::string value = to_display(radius_nm);
  if (!std::isfinite(radius_nm) || radius_nm < 0.0)
    throw ConfigError("stz.cluster.radius_nm", value, "a radius >= 0 nm");
  const double r = radius_nm / grid.voxel_nm();
  // Centres exactly on the sphere count as inside (relative slack for round-off in r).
  const double r2 = r * r * (1.0 + 1e-12);
  const int reach = static_cast<int>(std::floor(r * (1.0 + 1e-12)));
  if (reach > 64)
    throw ConfigError("stz.cluster.radius_nm", value,
                      "at most 64 voxel edges (" + to_display(64 * grid.voxel_nm()) + " nm)");
  const int rz = grid.dimension() == 3 ? reach : 0;
  std::vector<Offset> offsets;
  for (int x = -reach; x <= reach; ++x)
    for (int y = -reach; y <= reach; ++y)
      for (int z = -rz; z <= rz; ++z)
        if (static_cast<double>(x * x + y * y + z * z) <= r2) offsets.push_back({x, y, z});
  check_fits(grid, offsets, "stz.cluster.radius_nm", value);
  return StzCluster(std::move(offsets));
}

StzCluster StzCluster::cube(const Grid& grid, int edge) {
  const std::string value = std::to_string(edge);
  if (edge < 1 || edge > 64)
    throw ConfigError("stz.cluster.edge_voxels", value, "an integer edge in [1, 64] voxels");
  const int lo = -(edge - 1) / 2, hi = lo + edge - 1;
  const int zlo = grid.dimension() == 3 ? lo : 0, zhi = grid.dimension() == 3 ? hi : 0;
  std::vector<Offset> offsets;
  for (int x = lo; x <= hi; ++x)
    for (int y = lo; y <= hi; ++y)
      for (int z = zlo; z <= zhi; ++z) offsets.push_back({x, y, z});
  check_fits(grid, offsets, "stz.cluster.edge_voxels", value);
  return StzCluster(std::move(offsets));
}

int StzCluster::reach() const {
  int r = 0;
  for (const auto& u : m_offsets)
    for (int c : u) r = std::max(r, std::abs(c));
  return r;
}

std::size_t StzCluster::shifted(const Grid& grid, std::size_t site, const Offset& offset) {
  const auto c = grid.coords(site);
  return grid.wrapped_index(static_cast<long>(c[0]) + offset[0],
                            static_cast<long>(c[1]) + offset[1],
                            static_cast<long>(c[2]) + offset[2]);
}

void StzCluster::spread_add(TensorField& field, const Grid& grid, std::size_t site,
                            const SymTensor& increment) const {
  for (const auto& u : m_offsets) field.add(shifted(grid, site, u), increment);
}

template <class Get, class Set>
void StzCluster::average_each(const Grid& grid, int components, Get get, Set set) const {
  const double inv = 1.0 / static_cast<double>(size());
  std::vector<std::size_t> voxels(m_offsets.size());
  for (std::size_t i = 0; i < grid.size(); ++i) {
    for (std::size_t k = 0; k < m_offsets.size(); ++k) voxels[k] = shifted(grid, i, m_offsets[k]);
    for (int c = 0; c < components; ++c) {
      double sum = 0.0;
      for (std::size_t v : voxels) sum += get(v, c);
      set(i, c, sum * inv);
    }
  }
}

void StzCluster::average(const TensorField& in, const Grid& grid, TensorField& out) const {
  STZ_REQUIRE(in.voxels() == grid.size() && &in != &out, "cluster average of a field of ",
              in.voxels(), " voxels");
  if (single_voxel()) {
    out = in;
    return;
  }
  out = TensorField(grid);
  average_each(
      grid, kVoigtSize, [&](std::size_t v, int c) { return in(c, v); },
      [&](std::size_t i, int c, double x) { out(c, i) = x; });
}

void StzCluster::average(const std::vector<double>& in, int components, const Grid& grid,
                         std::vector<double>& out) const {
  const std::size_t n = grid.size(), nc = static_cast<std::size_t>(components);
  STZ_REQUIRE(in.size() == n * nc && &in != &out, "cluster average of ", in.size(), " values");
  if (single_voxel()) {
    out = in;
    return;
  }
  out.assign(n * nc, 0.0);
  average_each(
      grid, components,
      [&](std::size_t v, int c) { return in[v * nc + static_cast<std::size_t>(c)]; },
      [&](std::size_t i, int c, double x) { out[i * nc + static_cast<std::size_t>(c)] = x; });
}

}  // namespace stz
