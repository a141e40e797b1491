#include "libstz/elasticity/compact_response_kernel.hpp"

#include <algorithm>
#include <cmath>

#include "libstz/core/error.hpp"

namespace stz {
namespace {

// Tensor indices (i, j) of a Voigt position.
constexpr std::array<std::array<int, 2>, 6> kVoigtPairs{
    {{0, 0}, {1, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}}};

// Mirror symmetry must hold to this fraction of a column's largest entry: the FFT solve's
// round-off is ~1e-16 of it, the smallest physical asymmetry any real defect would give (a
// one-voxel shift of the cluster) is of order 1.
constexpr double kMirrorTolerance = 1e-12;

}  // namespace

CompactResponseKernel::CompactResponseKernel(const FftElasticSolver& solver,
                                             const std::vector<int>& active,
                                             const StzCluster& cluster)
    : m_grid(solver.grid()),
      m_active(active),
      m_na(static_cast<int>(active.size())),
      m_lanes(lanes_for(m_na)) {
  STZ_REQUIRE(m_na >= 1 && m_na <= 6, "active component count ", m_na);
  for (std::uint32_t mask = 0; mask < 8; ++mask)
    for (int a = 0; a < m_na; ++a) {
      const auto& p = kVoigtPairs[static_cast<std::size_t>(m_active[static_cast<std::size_t>(a)])];
      const bool flip = (((mask >> p[0]) ^ (mask >> p[1])) & 1u) != 0;
      m_sign[mask][static_cast<std::size_t>(a)] = flip ? -1.0 : 1.0;
    }
  if (!build(solver, cluster, true)) build(solver, cluster, false);
}

bool CompactResponseKernel::build(const FftElasticSolver& solver, const StzCluster& cluster,
                                  bool mirror) {
  const std::size_t n = m_grid.size(), na = static_cast<std::size_t>(m_na);
  std::array<int, 3> extent{}, stored{};
  for (int a = 0; a < 3; ++a) {
    extent[static_cast<std::size_t>(a)] = m_grid.extent(a);
    stored[static_cast<std::size_t>(a)] = mirror ? m_grid.extent(a) / 2 + 1 : m_grid.extent(a);
  }
  // The map: offset d along an axis is stored at d (2d <= n) or mirrored to n − d.
  m_map.assign(n, 0);
  for (std::size_t k = 0; k < n; ++k) {
    const auto c = m_grid.coords(k);
    std::uint32_t mask = 0;
    std::array<std::size_t, 3> r{};
    for (std::size_t a = 0; a < 3; ++a) {
      const int d = c[a];
      const bool flip = mirror && 2 * d > extent[a];
      r[a] = static_cast<std::size_t>(flip ? extent[a] - d : d);
      if (flip) mask |= 1u << a;
    }
    const std::size_t block =
        (r[0] * static_cast<std::size_t>(stored[1]) + r[1]) * static_cast<std::size_t>(stored[2]) +
        r[2];
    m_map[k] = static_cast<std::uint32_t>(block << 3) | mask;
  }
  const std::size_t blocks = static_cast<std::size_t>(stored[0]) * stored[1] * stored[2];
  STZ_REQUIRE(blocks < (std::size_t{1} << 29), "kernel table of ", blocks, " offsets");
  m_data.assign(blocks * block_stride(), 0.0);
  TensorField stress(m_grid);
  for (std::size_t b = 0; b < na; ++b) {
    site_kernel_column(solver, cluster, m_active[b], stress);
    double largest = 0.0;
    for (std::size_t a = 0; a < na; ++a)
      for (const double v : stress.component(m_active[a])) largest = std::max(largest, std::abs(v));
    for (std::size_t a = 0; a < na; ++a) {
      const auto column = stress.component(m_active[a]);
      const int ia = static_cast<int>(a), ib = static_cast<int>(b);
      // Stored entries first (mask 0), then every mirrored one is checked against them.
      for (std::size_t k = 0; k < n; ++k)
        if ((m_map[k] & 7u) == 0)
          m_data[(m_map[k] >> 3) * block_stride() + column_entry(ia, ib)] = column[k];
      for (std::size_t k = 0; k < n; ++k) {
        const std::uint32_t m = m_map[k];
        if ((m & 7u) == 0) continue;
        const double mirrored = m_sign[m & 7u][a] * m_sign[m & 7u][b] *
                                m_data[(m >> 3) * block_stride() + column_entry(ia, ib)];
        if (std::abs(mirrored - column[k]) > kMirrorTolerance * largest) return false;
      }
    }
  }
  m_reduced = mirror;
  return true;
}

}  // namespace stz
