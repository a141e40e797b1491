#include "libstz/elasticity/response_kernel.hpp"

#include <cmath>
#include <cstdlib>

#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"

namespace stz {

ResponseKernel::ResponseKernel(const FftElasticSolver& solver, const StzCluster& cluster)
    : m_grid(solver.grid()) {
  for (int b = 0; b < 6; ++b) {
    m_kernels[static_cast<std::size_t>(b)] = TensorField(m_grid);
    site_kernel_column(solver, cluster, b, m_kernels[static_cast<std::size_t>(b)]);
    for (int v = 0; v < 6; ++v) {
      const auto k = m_kernels[static_cast<std::size_t>(b)].component(v);
      for (std::size_t i = 1; i < k.size(); ++i)
        m_far_field_bound = std::max(m_far_field_bound, std::abs(k[i]));
    }
  }
}

void ResponseKernel::add_translated(TensorField& stress, std::size_t site,
                                    const SymTensor& increment) const {
  static const std::vector<int> all{0, 1, 2, 3, 4, 5};
  add_translated(stress, site, increment, all);
}

void ResponseKernel::add_translated(TensorField& stress, std::size_t site,
                                    const SymTensor& increment,
                                    const std::vector<int>& outputs) const {
  STZ_REQUIRE(stress.voxels() == m_grid.size(), "stress field size ", stress.voxels());
  std::array<int, 6> active{};
  int n_active = 0;
  for (int b = 0; b < 6; ++b)
    if (increment[static_cast<std::size_t>(b)] != 0.0) active[n_active++] = b;
  if (n_active == 0) return;

  // Work on contiguous lines along the fastest non-trivial axis (z in 3D, y in 2D where nz = 1):
  // the kernel line is the target line cyclically shifted by the source coordinate, i.e. two
  // contiguous segments.
  const int nx = m_grid.extent(0), ny = m_grid.extent(1), nz = m_grid.extent(2);
  const auto src = m_grid.coords(site);
  const bool planar = nz == 1;
  const int n_lines_y = planar ? 1 : ny;
  const int line = planar ? ny : nz;
  const int shift = planar ? src[1] : src[2];
#pragma omp parallel for schedule(static) collapse(2) if (m_grid.size() >= kParallelMinimum)
  for (int x = 0; x < nx; ++x) {
    for (int y = 0; y < n_lines_y; ++y) {
      const int kx = (x - src[0] + nx) % nx;
      const int ky = planar ? 0 : (y - src[1] + ny) % ny;
      const std::size_t row = m_grid.index(x, y, 0);
      const std::size_t krow = m_grid.index(kx, ky, 0);
      for (int v : outputs) {
        double* out = stress.component(v).data() + row;
        for (int a = 0; a < n_active; ++a) {
          const int b = active[static_cast<std::size_t>(a)];
          const double w = increment[static_cast<std::size_t>(b)];
          const double* k = m_kernels[static_cast<std::size_t>(b)].component(v).data() + krow;
          for (int z = 0; z < shift; ++z) out[z] += w * k[z - shift + line];
          for (int z = shift; z < line; ++z) out[z] += w * k[z - shift];
        }
      }
    }
  }
}

SymTensor ResponseKernel::stress_at(std::size_t target, std::size_t source,
                                    const SymTensor& increment) const {
  const std::size_t k = m_grid.offset_index(m_grid.coords(target), m_grid.coords(source));
  SymTensor out{};
  for (int b = 0; b < 6; ++b) {
    const double w = increment[static_cast<std::size_t>(b)];
    if (w == 0.0) continue;
    for (int v = 0; v < 6; ++v)
      out[static_cast<std::size_t>(v)] += w * m_kernels[static_cast<std::size_t>(b)](v, k);
  }
  return out;
}

}  // namespace stz
