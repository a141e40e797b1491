// The response kernel restricted to the stress and eigenstrain components an STZ rate can see
// ("active" components: 2D xx, yy, xy [, zz]; 3D all six), stored offset-major: the NA×NA
// matrix K(x)[out][in] of one relative position x is contiguous, so the stress change at one
// site caused by one event is a single cache-friendly lookup. Used by the fast kMC engine, which
// applies kernels site by site instead of adding whole translated fields.
//
// K(x)[a][b] = stress component active[a] at offset x (target − source, periodic) per unit
// eigenstrain component active[b] at the source (tensor shears: a unit shear component means
// ε*_ij = ε*_ji = 1), the values of ResponseKernel for those components.
//
// Mirror symmetry: the voxel lattice, a homogeneous medium and every STZ cluster (a box or a
// sphere about its site; the site-to-site kernel is a cluster autocorrelation) are symmetric
// under x_a → −x_a for each axis, so K(R_a x) = S_a K(x) S_a with S_a = diag(±1): −1 on the
// components with one index along a (e.g. xy and xz for a = x). Only offsets with 0 <= x_a <=
// n_a/2 are stored (1/8 of the table in 3D, 1/4 in 2D): the table the fast engine reads for
// every deferred event then stays in cache (with the column padding below, at 32³ 1.9 MB instead
// of 12.6 MB; 128³: 105 MB instead of 805 MB). The constructor checks the symmetry on every entry
// (relative 1e-12 of the column's largest entry, ~1e4 times the FFT round-off) and keeps the whole
// table when it does not hold, so the symmetry is a storage choice, never an assumption.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "libstz/elasticity/fft_elastic_solver.hpp"

namespace stz {

class CompactResponseKernel {
 public:
  /// `active`: the Voigt components kept, in order (1..6 distinct entries).
  /// With a cluster, K is site-to-site (fft_elastic_solver.hpp, site_kernel_column).
  CompactResponseKernel(const FftElasticSolver& solver, const std::vector<int>& active,
                        const StzCluster& cluster = {});

  int active_count() const { return m_na; }
  const std::vector<int>& active() const { return m_active; }
  const Grid& grid() const { return m_grid; }
  /// Whether only the mirror-reduced offsets are stored (false: the whole table).
  bool mirror_reduced() const { return m_reduced; }
  /// Stored NA×NA blocks (grid size, or the reduced count).
  std::size_t stored_offsets() const { return m_data.size() / block_stride(); }

  /// K(x)[a][b] for the relative offset index k (a voxel index of the offset, as
  /// Grid::wrapped_index(dx, dy, dz) gives it).
  double value(std::size_t offset_index, int a, int b) const {
    const std::uint32_t m = m_map[offset_index];
    const double* s = m_sign[m & 7u].data();
    return s[a] * s[b] * m_data[(m >> 3) * block_stride() + column_entry(a, b)];
  }
  /// The NA×NA block of offset index k, row-major [out][in], into out.
  void matrix(std::size_t offset_index, double* out) const {
    for (int a = 0; a < m_na; ++a)
      for (int b = 0; b < m_na; ++b) out[a * m_na + b] = value(offset_index, a, b);
  }

  /// Adds K(x)·Δε* to sigma (NA components) for an eigenstrain increment `increment` (NA
  /// components) at offset index k.
  void accumulate(std::size_t offset_index, const double* increment, double* sigma) const {
    switch (m_na) {  // the common counts as vectors; the same operations in the same order
      case 3:
        accumulate_fixed<3, V4d>(offset_index, increment, sigma);
        return;
      case 4:
        accumulate_fixed<4, V4d>(offset_index, increment, sigma);
        return;
      case 6:
        accumulate_fixed<6, V8d>(offset_index, increment, sigma);
        return;
      default:
        break;
    }
    const std::uint32_t m = m_map[offset_index];
    const double* k = m_data.data() + (m >> 3) * block_stride();
    const double* s = m_sign[m & 7u].data();
    for (int a = 0; a < m_na; ++a) {
      double sum = 0.0;
      for (int b = 0; b < m_na; ++b) sum += k[column_entry(a, b)] * (s[b] * increment[b]);
      sigma[a] += s[a] * sum;
    }
  }

 private:
  using V4d = double __attribute__((vector_size(32)));
  using V8d = double __attribute__((vector_size(64)));

  // Storage of one offset's block: column-major, each column (one input component b) padded to
  // m_lanes doubles (4 for NA <= 4, else 8), so accumulate adds whole columns as one vector:
  // 6 vector multiply-adds in 3D instead of 36 scalar ones (replays and the near field of the
  // fast engine ~1.8× faster per (event, site) pair, docs/performance.md). The padding costs
  // 1/3 more kernel memory in 3D (32³: 1.9 MB instead of 1.4 MB), 1/3 in 2D with NA = 3.
  static constexpr int lanes_for(int na) { return na <= 4 ? 4 : 8; }
  std::size_t block_stride() const { return static_cast<std::size_t>(m_na * m_lanes); }
  std::size_t column_entry(int a, int b) const { return static_cast<std::size_t>(b * m_lanes + a); }

  // accumulate for a known NA (== active_count()) with V the vector of m_lanes doubles. Per
  // output component the sum is the scalar loop's: Σ_b K_ab·(s_b Δε_b) in order b = 0, 1, …,
  // then σ_a += s_a·sum. The signs are ±1: multiplying by them is exact, so a mirrored entry
  // gives the same bits as a stored one would.
  template <int NA, class V>
  void accumulate_fixed(std::size_t offset_index, const double* increment, double* sigma) const {
    constexpr int kLanes = static_cast<int>(sizeof(V) / sizeof(double));
    static_assert(kLanes == lanes_for(NA), "V must be the stored column width (m_lanes)");
    const std::uint32_t m = m_map[offset_index];
    const double* k = m_data.data() + (m >> 3) * static_cast<std::size_t>(NA * kLanes);
    const double* s = m_sign[m & 7u].data();
    V sum{};
    for (int b = 0; b < NA; ++b) {
      V column;
      std::memcpy(&column, k + b * kLanes, sizeof column);
      sum += column * (s[b] * increment[b]);
    }
    for (int a = 0; a < NA; ++a) sigma[a] += s[a] * sum[a];
  }

  // Builds the table; mirror = false stores every offset.
  bool build(const FftElasticSolver& solver, const StzCluster& cluster, bool mirror);

  Grid m_grid;
  std::vector<int> m_active;
  int m_na;
  int m_lanes;  ///< doubles per stored column (block_stride)
  bool m_reduced = false;
  /// Per offset index: (stored block << 3) | mirror mask (bit a: axis a reflected).
  std::vector<std::uint32_t> m_map;
  /// Per mirror mask: the sign of each active component.
  std::array<std::array<double, 6>, 8> m_sign{};
  std::vector<double> m_data;
};

}  // namespace stz
