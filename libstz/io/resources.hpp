// Resource guards (SPEC 5): the estimated peak memory of a run, from the grid, the shear modes
// and the kMC engine, calibrated against measured peak RSS (docs/performance.md), and the memory
// a run may use (run.max_memory_GB, else what the system reports available).
#pragma once

#include <cstdint>
#include <string>

#include "libstz/io/config.hpp"

namespace stz {

/// Estimated peak resident memory of one run of `config`, bytes.
double estimate_peak_memory_bytes(const RunConfig& config);

/// Memory a run may use, bytes, and where the number comes from ("run.max_memory_GB",
/// "MemAvailable" from /proc/meminfo, or "cgroup memory.max"). Infinity when nothing is known.
struct MemoryLimit {
  double bytes = 0;
  std::string source;
};
MemoryLimit memory_limit(const RunConfig& config);

/// "1.23 GB" style text (decimal units, as in run.max_memory_GB).
std::string memory_text(double bytes);

/// Throws ConfigError (key grid.shape) before anything is allocated when `parallel_runs` runs of
/// `config` at once would exceed memory_limit(config): one line with the estimate and the limit.
void check_memory(const RunConfig& config, int parallel_runs = 1);

}  // namespace stz
