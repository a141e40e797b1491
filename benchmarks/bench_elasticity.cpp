// Elasticity kernels: one full FFT solve (stress from a random eigenstrain field) and one
// response-kernel update (O(N) translated add), at 256×128 (2D), 64³ and 128³ (3D).
#include <memory>

#include <benchmark/benchmark.h>

#include "libstz/core/rng.hpp"
#include "libstz/elasticity/response_kernel.hpp"

namespace {

stz::Grid grid_for(int id) {
  switch (id) {
    case 0:
      return stz::Grid::plane(256, 128);
    case 1:
      return stz::Grid::box(64, 64, 64);
    default:
      return stz::Grid::box(128, 128, 128);
  }
}

const stz::IsotropicElasticity kVitreloy(92.1, 0.387);

void BM_FullSolve(benchmark::State& state) {
  const stz::Grid grid = grid_for(static_cast<int>(state.range(0)));
  const stz::FftElasticSolver solver(grid, kVitreloy);
  stz::TensorField eig(grid), stress(grid);
  stz::Rng rng(1, stz::RngPurpose::test);
  for (int v = 0; v < 6; ++v)
    for (auto& x : eig.component(v)) x = 0.01 * (stz::uniform01(rng) - 0.5);
  for (auto _ : state) {
    solver.solve(eig, nullptr, &stress);
    benchmark::DoNotOptimize(stress.data());
  }
  state.counters["voxels"] = static_cast<double>(grid.size());
}

void BM_KernelUpdate(benchmark::State& state) {
  const stz::Grid grid = grid_for(static_cast<int>(state.range(0)));
  const stz::ResponseKernel kernel(stz::FftElasticSolver(grid, kVitreloy));
  stz::TensorField stress(grid);
  stz::Rng rng(2, stz::RngPurpose::test);
  // A typical STZ mode: pure shear, all six components non-zero in 3D, three in 2D.
  stz::SymTensor mode{0.03, -0.05, 0.02, 0.01, -0.02, 0.04};
  if (grid.dimension() == 2) mode = {0.05, -0.05, 0.0, 0.0, 0.0, 0.02};
  for (auto _ : state) {
    kernel.add_translated(stress, stz::uniform_index(rng, grid.size()), mode);
    benchmark::DoNotOptimize(stress.data());
  }
  state.counters["voxels"] = static_cast<double>(grid.size());
}

}  // namespace

// 0: 2D 256×128, 1: 3D 64³, 2: 3D 128³
BENCHMARK(BM_FullSolve)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_KernelUpdate)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_MAIN();
