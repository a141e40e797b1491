// The response kernel restricted to the stress and eigenstrain components an STZ rate can see
// ("active" components: 2D xx, yy, xy [, zz]; 3D all six), stored offset-major: the NA×NA
// matrix K(x)[out][in] of one relative position x is contiguous, so the stress change at one
// site caused by one event is a single cache-friendly lookup. Used by the fast kMC engine, which
// applies kernels site by site instead of adding whole translated fields.
//
// K(x)[a][b] = stress component active[a] at offset x (target − source, periodic) per unit
// eigenstrain component active[b] at the source (tensor shears: a unit shear component means
// ε*_ij = ε*_ji = 1), exactly the values of ResponseKernel for those components.
#pragma once

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

  /// The NA×NA block of relative offset index k (a voxel index of the offset, as
  /// Grid::wrapped_index(dx, dy, dz) gives it): row-major [out][in].
  const double* at(std::size_t offset_index) const {
    return m_data.data() + offset_index * static_cast<std::size_t>(m_na * m_na);
  }

  /// Adds K(x)·Δε* to sigma (NA components) for an eigenstrain increment `increment` (NA
  /// components) at offset index k.
  void accumulate(std::size_t offset_index, const double* increment, double* sigma) const {
    switch (m_na) {  // the common counts unrolled; the same operations in the same order
      case 3:
        accumulate_fixed<3>(offset_index, increment, sigma);
        return;
      case 4:
        accumulate_fixed<4>(offset_index, increment, sigma);
        return;
      case 6:
        accumulate_fixed<6>(offset_index, increment, sigma);
        return;
      default:
        break;
    }
    const double* k = at(offset_index);
    for (int a = 0; a < m_na; ++a) {
      double s = 0.0;
      for (int b = 0; b < m_na; ++b) s += k[a * m_na + b] * increment[b];
      sigma[a] += s;
    }
  }

 private:
  // accumulate for a known NA (== active_count()).
  template <int NA>
  void accumulate_fixed(std::size_t offset_index, const double* increment, double* sigma) const {
    const double* k = m_data.data() + offset_index * static_cast<std::size_t>(NA * NA);
    for (int a = 0; a < NA; ++a) {
      double s = 0.0;
      for (int b = 0; b < NA; ++b) s += k[a * NA + b] * increment[b];
      sigma[a] += s;
    }
  }

  Grid m_grid;
  std::vector<int> m_active;
  int m_na;
  std::vector<double> m_data;
};

}  // namespace stz
