#include "libstz/elasticity/compact_response_kernel.hpp"

#include "libstz/core/error.hpp"

namespace stz {

CompactResponseKernel::CompactResponseKernel(const FftElasticSolver& solver,
                                             const std::vector<int>& active,
                                             const StzCluster& cluster)
    : m_grid(solver.grid()), m_active(active), m_na(static_cast<int>(active.size())) {
  STZ_REQUIRE(m_na >= 1 && m_na <= 6, "active component count ", m_na);
  const std::size_t n = m_grid.size(), na = static_cast<std::size_t>(m_na);
  m_data.assign(n * na * na, 0.0);
  TensorField stress(m_grid);
  for (std::size_t b = 0; b < na; ++b) {
    site_kernel_column(solver, cluster, m_active[b], stress);
    for (std::size_t a = 0; a < na; ++a) {
      const auto column = stress.component(m_active[a]);
      for (std::size_t k = 0; k < n; ++k) m_data[(k * na + a) * na + b] = column[k];
    }
  }
}

}  // namespace stz
