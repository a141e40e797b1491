#include "libstz/io/resources.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "libstz/core/error.hpp"

namespace stz {
namespace {

// Calibration (docs/performance.md, "Memory"): peak RSS measured with /usr/bin/time -v
// (scripts/measure_memory.sh, 16 k – 1 M voxels, 5 – 60 modes, default fields), fitted as
// base + voxels × (per-voxel + per-mode × mean modes per voxel), per engine and dimension.
// The per-mode cost is the per-site mode tensors (float, 2D stores fewer components per mode),
// per *stored* mode: a type with reverse modes and an even count stores half its modes
// (StzTypeParams::stored_modes).
struct MemoryModel {
  double base_bytes;
  double per_voxel_bytes;
  double per_mode_bytes;  ///< per voxel and shear mode
};
constexpr MemoryModel kReference2D{20e6, 613, 11.7};
constexpr MemoryModel kReference3D{20e6, 557, 23.5};
// Fast: fitted 2026-12-05 (mirror kernel), plus the padding of the kernel's columns to vector
// lanes (2026-12-06; compact_response_kernel.hpp): 3D 96 B per stored offset, one per 8 voxels;
// 2D 24 B per stored offset, one per 4 voxels.
constexpr MemoryModel kFast2D{20e6, 536 + 6, 11.7};
constexpr MemoryModel kFast3D{20e6, 725 + 12, 23.5};
/// Each tensor snapshot field (stress_GPa, plastic_strain) adds a transient copy per voxel.
constexpr double kTensorFieldBytes = 24;

/// Mean stored shear modes per voxel: the matrix plus the MRO types by their volume fraction.
double mean_modes(const RunConfig& config) {
  const auto& types = config.sim.model.types;
  double matrix = types.empty() ? 10 : types[0].stored_modes();
  double most = matrix;
  for (const auto& t : types) most = std::max<double>(most, t.stored_modes());
  // An imported map's fraction is unknown before it is read: take the largest (safe side).
  const double f = config.mro_map ? 1.0 : std::clamp(config.sim.mro.fraction, 0.0, 1.0);
  return (1 - f) * matrix + f * most;
}

double read_number_file(const char* path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return std::numeric_limits<double>::infinity();
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    return std::numeric_limits<double>::infinity();
  }
}

}  // namespace

double estimate_peak_memory_bytes(const RunConfig& config) {
  double voxels = 1;
  for (int e : config.sim.grid.shape) voxels *= e;
  const bool planar = config.sim.grid.shape.size() == 2;
  const bool fast = config.sim.kmc.engine == EngineKind::fast;
  const MemoryModel& m =
      fast ? (planar ? kFast2D : kFast3D) : (planar ? kReference2D : kReference3D);
  double tensor_fields = 0;
  for (const auto& f : config.sim.output.fields)
    tensor_fields += f == "stress_GPa" || f == "plastic_strain";
  // STZ clusters: three per-voxel free-volume arrays, and (fast engine) the one-voxel compact
  // kernel the re-solve spectrum is built from, alive while the engine is set up.
  double cluster_bytes = 0;
  if (config.sim.model.cluster.shape != ClusterShape::voxel) {
    const double na = planar ? (config.sim.model.dilatation != 0.0 ? 4 : 3) : 6;
    cluster_bytes =
        3 * 8 + (fast ? na * na * 8 : 0) +
        (config.sim.model.cluster.barrier_disorder == BarrierDisorder::per_voxel ? 8 : 0);
  }
  return m.base_bytes + voxels * (m.per_voxel_bytes + m.per_mode_bytes * mean_modes(config) +
                                  kTensorFieldBytes * tensor_fields + cluster_bytes);
}

MemoryLimit memory_limit(const RunConfig& config) {
  if (config.max_memory_GB > 0) return {config.max_memory_GB * 1e9, "run.max_memory_GB"};
  MemoryLimit limit{std::numeric_limits<double>::infinity(), "unknown"};
  std::ifstream meminfo("/proc/meminfo");
  std::string key, unit;
  double kb = 0;
  while (meminfo >> key >> kb) {
    std::getline(meminfo, unit);
    if (key == "MemAvailable:") {
      limit = {kb * 1024.0, "MemAvailable"};
      break;
    }
  }
  // In a container the cgroup limit may be tighter than the host's free memory.
  const double cg_max = read_number_file("/sys/fs/cgroup/memory.max");
  if (std::isfinite(cg_max)) {
    const double used = read_number_file("/sys/fs/cgroup/memory.current");
    const double room = cg_max - (std::isfinite(used) ? used : 0.0);
    if (room < limit.bytes) limit = {std::max(room, 0.0), "cgroup memory.max"};
  }
  return limit;
}

std::string memory_text(double bytes) {
  char buffer[32];
  if (bytes >= 1e12)
    std::snprintf(buffer, sizeof buffer, "%.2f TB", bytes / 1e12);
  else if (bytes >= 1e9)
    std::snprintf(buffer, sizeof buffer, "%.2f GB", bytes / 1e9);
  else
    std::snprintf(buffer, sizeof buffer, "%.0f MB", bytes / 1e6);
  return buffer;
}

void check_memory(const RunConfig& config, int parallel_runs) {
  const double need = estimate_peak_memory_bytes(config) * std::max(1, parallel_runs);
  const MemoryLimit limit = memory_limit(config);
  if (need <= limit.bytes) return;
  std::ostringstream shape;
  shape << "[";
  for (std::size_t i = 0; i < config.sim.grid.shape.size(); ++i)
    shape << (i ? ", " : "") << config.sim.grid.shape[i];
  shape << "]";
  throw ConfigError(
      "grid.shape", shape.str(),
      "estimated peak memory " + memory_text(need) +
          (parallel_runs > 1 ? " (" + std::to_string(parallel_runs) + " runs at once)" : "") +
          " exceeds the limit " + memory_text(limit.bytes) + " (" + limit.source +
          "); use a smaller grid, fewer --threads for ensembles, or set run.max_memory_GB");
}

}  // namespace stz
