#include "libstz/analysis/cfv_clusters.hpp"

#include <cmath>
#include <limits>

#include "libstz/core/error.hpp"

namespace stz {

namespace {

using Shift = std::array<std::int64_t, 3>;

// Union–find over voxel indices in which every node stores its displacement to its parent in the
// unwrapped lattice (offset = pos(parent) − pos(node)). Merging two trees along a bond fixes the
// relative embedding of the two trees; a bond inside one tree that disagrees with the embedding
// closes a loop whose winding (a multiple of the box vector) marks the axes the cluster wraps.
// |offset| never exceeds the cluster size, so 32 bits suffice for grids of at most 2^31 voxels.
class WindingUnionFind {
 public:
  explicit WindingUnionFind(std::size_t n) : m_parent(n), m_offset(n), m_rank(n, 0), m_wraps(n, 0) {
    for (std::size_t i = 0; i < n; ++i) m_parent[i] = static_cast<std::uint32_t>(i);
  }

  /// Root of x; `to_root` receives pos(root) − pos(x). Compresses the path.
  std::size_t find(std::size_t x, Shift& to_root) {
    std::size_t root = x;
    Shift total{0, 0, 0};
    while (m_parent[root] != root) {
      for (std::size_t a = 0; a < 3; ++a) total[a] += m_offset[root][a];
      root = m_parent[root];
    }
    Shift remaining = total;
    std::size_t node = x;
    while (node != root && m_parent[node] != root) {
      const std::size_t next = m_parent[node];
      const auto old = m_offset[node];
      for (std::size_t a = 0; a < 3; ++a) {
        m_offset[node][a] = static_cast<std::int32_t>(remaining[a]);
        remaining[a] -= old[a];
      }
      m_parent[node] = static_cast<std::uint32_t>(root);
      node = next;
    }
    to_root = total;
    return root;
  }

  /// Bond between i and j = i + unit step along `axis` (periodically wrapped).
  void bond(std::size_t i, std::size_t j, int axis) {
    Shift di, dj;
    const std::size_t ri = find(i, di), rj = find(j, dj);
    Shift e{0, 0, 0};
    e[static_cast<std::size_t>(axis)] = 1;
    if (ri == rj) {
      // Winding of the closed loop: embedded pos(j) minus pos(i) + e.
      for (std::size_t a = 0; a < 3; ++a)
        if (di[a] - dj[a] - e[a] != 0) m_wraps[ri] |= static_cast<std::uint8_t>(1u << a);
      return;
    }
    // offset from rj to ri so that pos(j) = pos(i) + e in the merged embedding.
    Shift rj_to_ri;
    for (std::size_t a = 0; a < 3; ++a) rj_to_ri[a] = di[a] - e[a] - dj[a];
    std::size_t child = rj, parent = ri;
    if (m_rank[ri] < m_rank[rj]) {
      std::swap(child, parent);
      for (auto& v : rj_to_ri) v = -v;
    } else if (m_rank[ri] == m_rank[rj]) {
      ++m_rank[ri];
    }
    m_parent[child] = static_cast<std::uint32_t>(parent);
    for (std::size_t a = 0; a < 3; ++a) m_offset[child][a] = static_cast<std::int32_t>(rj_to_ri[a]);
    m_wraps[parent] |= m_wraps[child];
  }

  std::uint8_t wraps(std::size_t root) const { return m_wraps[root]; }

 private:
  std::vector<std::uint32_t> m_parent;
  std::vector<std::array<std::int32_t, 3>> m_offset;
  std::vector<std::uint8_t> m_rank;
  std::vector<std::uint8_t> m_wraps;
};

}  // namespace

CfvClusters connected_free_volume(const Grid& grid, std::span<const double> free_volume,
                                  double threshold) {
  if (!std::isfinite(threshold))
    throw ConfigError("cfv.threshold", to_display(threshold), "a finite free-volume value");
  STZ_REQUIRE(free_volume.size() == grid.size(), "free-volume field has ", free_volume.size(),
              " values, grid ", grid.size());

  const std::size_t n = grid.size();
  std::vector<std::uint8_t> member(n);
  for (std::size_t i = 0; i < n; ++i) member[i] = free_volume[i] >= threshold ? 1 : 0;

  WindingUnionFind uf(n);
  const int nx = grid.extent(0), ny = grid.extent(1), nz = grid.extent(2);
  const std::size_t sx = static_cast<std::size_t>(ny) * static_cast<std::size_t>(nz);
  const std::size_t sy = static_cast<std::size_t>(nz);
  const bool use_z = grid.dimension() == 3;
  for (int x = 0; x < nx; ++x) {
    for (int y = 0; y < ny; ++y) {
      for (int z = 0; z < nz; ++z) {
        const std::size_t i = grid.index(x, y, z);
        if (!member[i]) continue;
        const std::size_t jx = x + 1 < nx ? i + sx : i - static_cast<std::size_t>(nx - 1) * sx;
        const std::size_t jy = y + 1 < ny ? i + sy : i - static_cast<std::size_t>(ny - 1) * sy;
        if (member[jx]) uf.bond(i, jx, 0);
        if (member[jy]) uf.bond(i, jy, 1);
        if (use_z) {
          const std::size_t jz = z + 1 < nz ? i + 1 : i - static_cast<std::size_t>(nz - 1);
          if (member[jz]) uf.bond(i, jz, 2);
        }
      }
    }
  }

  // Number clusters in order of their smallest voxel index; reuse a per-root slot table.
  constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> cluster_of_root(n, kNone);
  std::vector<std::uint32_t> cluster_of(n, kNone);
  std::vector<double> xi_sum;
  CfvClusters out;
  out.labels.assign(n, -1);
  Shift unused;
  for (std::size_t i = 0; i < n; ++i) {
    if (!member[i]) continue;
    const std::size_t root = uf.find(i, unused);
    if (cluster_of_root[root] == kNone) {
      cluster_of_root[root] = static_cast<std::uint32_t>(out.clusters.size());
      CfvCluster c;
      c.label = static_cast<std::int64_t>(i);
      const std::uint8_t w = uf.wraps(root);
      for (std::size_t a = 0; a < 3; ++a) c.spans[a] = (w >> a) & 1u;
      out.clusters.push_back(c);
      xi_sum.push_back(0.0);
    }
    const std::uint32_t k = cluster_of_root[root];
    cluster_of[i] = k;
    out.labels[i] = out.clusters[k].label;
    ++out.clusters[k].voxels;
    xi_sum[k] += free_volume[i];
    ++out.member_voxels;
  }

  // Crossing: count the layers each cluster occupies along each axis. Only a cluster of at least
  // `extent` voxels can occupy them all, so the flags cost at most one byte per voxel and axis.
  for (int a = 0; a < grid.dimension(); ++a) {
    const auto extent = static_cast<std::size_t>(grid.extent(a));
    constexpr std::size_t kNoSlot = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> slot(out.clusters.size(), kNoSlot), covered(out.clusters.size(), 0);
    std::size_t total = 0;
    for (std::size_t k = 0; k < out.clusters.size(); ++k)
      if (out.clusters[k].voxels >= extent) slot[k] = total, total += extent;
    if (total == 0) continue;
    std::vector<std::uint8_t> seen(total, 0);
    for (std::size_t i = 0; i < n; ++i) {
      if (cluster_of[i] == kNone || slot[cluster_of[i]] == kNoSlot) continue;
      const std::size_t layer =
          static_cast<std::size_t>(grid.coords(i)[static_cast<std::size_t>(a)]);
      std::uint8_t& s = seen[slot[cluster_of[i]] + layer];
      if (!s) s = 1, ++covered[cluster_of[i]];
    }
    for (std::size_t k = 0; k < out.clusters.size(); ++k)
      out.clusters[k].crosses[static_cast<std::size_t>(a)] = covered[k] == extent;
  }

  const double v = grid.voxel_volume_nm3();
  std::size_t best = kNone;
  for (std::size_t k = 0; k < out.clusters.size(); ++k) {
    auto& c = out.clusters[k];
    c.volume_nm3 = static_cast<double>(c.voxels) * v;
    c.free_volume_nm3 = xi_sum[k] * v;
    if (best == kNone || c.voxels > out.clusters[best].voxels) best = k;
  }
  out.largest_mask.assign(n, 0);
  if (best != kNone) {
    out.largest = out.clusters[best];
    for (std::size_t i = 0; i < n; ++i)
      if (cluster_of[i] == best) out.largest_mask[i] = 1;
  }
  return out;
}

}  // namespace stz
