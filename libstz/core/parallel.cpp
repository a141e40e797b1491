#include "libstz/core/parallel.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace stz {

int max_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

void set_threads(int n) {
#ifdef _OPENMP
  if (n >= 1) omp_set_num_threads(n);
#else
  (void)n;
#endif
}

double deterministic_sum(const double* values, std::size_t n) {
  const std::size_t blocks = (n + kReductionBlock - 1) / kReductionBlock;
  std::vector<double> partial(blocks, 0.0);
#pragma omp parallel for schedule(static) if (n >= kParallelMinimum)
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t begin = b * kReductionBlock;
    const std::size_t end = begin + kReductionBlock < n ? begin + kReductionBlock : n;
    double s = 0.0;
    for (std::size_t i = begin; i < end; ++i) s += values[i];
    partial[b] = s;
  }
  double total = 0.0;
  for (double p : partial) total += p;
  return total;
}

}  // namespace stz
