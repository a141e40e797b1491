// Reference kMC engine: cost of one rate sweep (per site-mode) and events per second once the
// box flows, for 2D and 3D boxes of growing size. Each case first loads the box to 2 % strain
// (outside the timing), then times kMC steps.
#include <benchmark/benchmark.h>

#include "libstz/sim/simulation.hpp"

namespace {

stz::SimulationParams params_for(int id) {
  stz::SimulationParams p;
  switch (id) {
    case 0:
      p.grid.shape = {128, 64};
      break;
    case 1:
      p.grid.shape = {256, 128};
      break;
    case 2:
      p.grid.shape = {512, 256};
      break;
    case 3:
      p.grid.shape = {32, 32, 32};
      break;
    default:
      p.grid.shape = {64, 64, 64};
      break;
  }
  p.output.snapshots_at_strain = {};
  p.output.stats_every_strain = 1e-3;
  return p;
}

void BM_RateSweep(benchmark::State& state) {
  const stz::SimulationParams p = params_for(static_cast<int>(state.range(0)));
  stz::Simulation sim(p);
  const stz::Grid& g = sim.grid();
  stz::TensorField fluct(g);
  std::vector<double> rates(g.size());
  const stz::SymTensor mean = sim.mean_state().stress;
  for (auto _ : state) {
    benchmark::DoNotOptimize(sim.model().compute_site_rates(mean, fluct, 0.0, rates));
  }
  const double site_modes = static_cast<double>(g.size()) * sim.model().mode_count(0);
  state.counters["site_modes"] = site_modes;
  state.counters["ns_per_site_mode"] =
      benchmark::Counter(site_modes * 1e-9, benchmark::Counter::kIsIterationInvariantRate |
                                                benchmark::Counter::kInvert);
}

void BM_ReferenceEngineSteps(benchmark::State& state) {
  stz::SimulationParams p = params_for(static_cast<int>(state.range(0)));
  stz::Simulation sim(p);
  while (sim.control_strain() < 0.02 && sim.step()) {
  }
  const auto events0 = sim.events();
  for (auto _ : state) sim.step();
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(sim.events() - events0), benchmark::Counter::kIsRate);
  state.counters["voxels"] = static_cast<double>(sim.grid().size());
}

}  // namespace

// 0: 2D 128×64, 1: 2D 256×128, 2: 2D 512×256, 3: 3D 32³, 4: 3D 64³
BENCHMARK(BM_RateSweep)->DenseRange(0, 4)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReferenceEngineSteps)
    ->DenseRange(0, 4)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(3.0);
BENCHMARK_MAIN();
