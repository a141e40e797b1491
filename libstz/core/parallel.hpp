// Deterministic parallel helpers: results are bit-identical for any number of threads,
// because work is cut into blocks whose boundaries depend only on the problem size.
#pragma once

#include <cstddef>
#include <vector>

namespace stz {

/// Number of threads OpenMP will use for the next parallel region (1 without OpenMP).
int max_threads();
/// Sets the OpenMP thread count (n >= 1); no effect without OpenMP.
void set_threads(int n);

/// Loops over fewer voxels than this run serially (`#pragma omp parallel for if(...)`): a
/// parallel region costs more than such a loop, and far more on an oversubscribed machine.
/// Results never depend on it (every parallel loop is thread-count independent).
inline constexpr std::size_t kParallelMinimum = 16384;

/// Block size for deterministic reductions.
inline constexpr std::size_t kReductionBlock = 4096;

/// Sum of values[0..n) in a fixed association order, independent of the thread count.
double deterministic_sum(const double* values, std::size_t n);

}  // namespace stz
