// Response kernels: the stress fluctuation caused by a unit eigenstrain component in one voxel
// (at the origin), precomputed once with the FFT solver. Because the fluctuation is linear in the
// eigenstrain and the box is periodic, an STZ event at site s with eigenstrain increment Δε*
// changes the stress everywhere by Σ_b Δε*_b K_b(x − s): a translated copy, O(N), no solve.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "libstz/elasticity/fft_elastic_solver.hpp"

namespace stz {

class ResponseKernel {
 public:
  /// With a cluster, the kernels are site-to-site (fft_elastic_solver.hpp, site_kernel_column):
  /// the cluster-averaged stress at a site per unit eigenstrain of an STZ cluster at another.
  explicit ResponseKernel(const FftElasticSolver& solver, const StzCluster& cluster = {});

  /// Adds the stress fluctuation of eigenstrain increment Δε* (tensor shears) at `site` to
  /// `stress`. Parallel over rows; results independent of the thread count.
  void add_translated(TensorField& stress, std::size_t site, const SymTensor& increment) const;
  /// Same, for the stress components `outputs` only (the others are left unchanged).
  void add_translated(TensorField& stress, std::size_t site, const SymTensor& increment,
                      const std::vector<int>& outputs) const;

  /// Stress fluctuation at voxel `target` caused by Δε* at `source` (one voxel, O(1)).
  SymTensor stress_at(std::size_t target, std::size_t source, const SymTensor& increment) const;

  /// Kernel of unit eigenstrain component b (tensor shear ε*_ij = ε*_ji = 1 for shears).
  const TensorField& component(int b) const { return m_kernels[static_cast<std::size_t>(b)]; }

  /// Largest |Δσ_v| at any voxel other than the source, per unit |Δε*| component (GPa).
  double far_field_bound() const { return m_far_field_bound; }

  const Grid& grid() const { return m_grid; }

 private:
  Grid m_grid;
  std::array<TensorField, 6> m_kernels;
  double m_far_field_bound = 0.0;
};

}  // namespace stz
