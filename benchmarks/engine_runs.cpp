// Whole runs of both kMC engines side by side (SPEC 6; docs/performance.md): events/s, time to
// a strain, the fast engine's acceptance and work counters.
//
//   engine_runs SHAPE MAX_STRAIN [ENGINE...] [key=value...]
//     SHAPE       e.g. 256x128 or 64x64x64
//     ENGINE      fast | reference (default: both, fast first)
//     key=value   kmc.block_voxels=, kmc.near_field_voxels=, kmc.resolve_every_events=,
//                 kmc.horizon_kT=, seed=, temperature_K=, barrier_eV=
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "libstz/core/parallel.hpp"
#include "libstz/sim/simulation.hpp"
#include "shape_arg.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: engine_runs SHAPE MAX_STRAIN [fast|reference]... [key=value]...\n");
    return 2;
  }
  stz::SimulationParams base;
  base.grid.shape = stz::bench::parse_shape(argv[1]);
  base.loading.max_strain = std::atof(argv[2]);
  base.output.snapshots_at_strain = {};
  base.output.stats_every_strain = 1e-3;
  std::vector<stz::EngineKind> engines;
  for (int a = 3; a < argc; ++a) {
    const std::string arg = argv[a];
    const auto eq = arg.find('=');
    if (eq == std::string::npos) {
      engines.push_back(stz::parse_engine_kind(arg));
      continue;
    }
    const std::string key = arg.substr(0, eq), value = arg.substr(eq + 1);
    if (key == "kmc.block_voxels")
      base.kmc.block_voxels = std::stoi(value);
    else if (key == "kmc.near_field_voxels")
      base.kmc.near_field_voxels = std::stod(value);
    else if (key == "kmc.resolve_every_events")
      base.kmc.resolve_every_events = std::stoll(value);
    else if (key == "kmc.horizon_kT")
      base.kmc.horizon_kT = std::stod(value);
    else if (key == "initial_share")
      base.kmc.initial_share = std::stod(value);
    else if (key == "raise_share")
      base.kmc.raise_share = std::stod(value);
    else if (key == "min_budget_kT")
      base.kmc.min_budget_kT = std::stod(value);
    else if (key == "max_budget_kT")
      base.kmc.max_budget_kT = std::stod(value);
    else if (key == "rebuild_replays")
      base.kmc.rebuild_replays = std::stod(value);
    else if (key == "far_field")  // net | per_event (FarFieldCount)
      base.kmc.far_field_for_tests =
          value == "per_event" ? stz::FarFieldCount::per_event : stz::FarFieldCount::net;
    else if (key == "seed")
      base.seed = std::stoull(value);
    else if (key == "temperature_K")
      base.model.temperature_K = std::stod(value);
    else if (key == "barrier_eV")
      base.model.types[0].barrier_eV = std::stod(value);
    else {
      std::fprintf(stderr, "unknown key %s\n", key.c_str());
      return 2;
    }
  }
  if (engines.empty()) engines = {stz::EngineKind::fast, stz::EngineKind::reference};
  std::printf("%s to %s, %d threads\n", argv[1], argv[2], stz::max_threads());
  for (const auto kind : engines) {
    stz::SimulationParams p = base;
    p.kmc.engine = kind;
    const auto t0 = std::chrono::steady_clock::now();
    stz::Simulation sim(p);
    const auto t1 = std::chrono::steady_clock::now();
    sim.run();
    const auto t2 = std::chrono::steady_clock::now();
    const double setup = std::chrono::duration<double>(t1 - t0).count();
    const double wall = std::chrono::duration<double>(t2 - t1).count();
    const stz::SeriesPoint end = sim.series_point();
    std::printf(
        "%-9s setup %.2f s, run %.2f s, %lld events (%lld athermal), %.0f events/s, "
        "final stress %.3f GPa\n  %s\n",
        stz::to_string(kind), setup, wall, static_cast<long long>(sim.events()),
        static_cast<long long>(sim.athermal_events()), static_cast<double>(sim.events()) / wall,
        end.stress_GPa, sim.engine().describe().c_str());
    std::fflush(stdout);
  }
  return 0;
}
