// SPEC 4.3: many single-voxel kernel updates equal one full solve of the summed eigenstrain
// (superposition is exact; the difference is accumulated round-off, bounded by 1e-12 relative).
#include <gtest/gtest.h>

#include "libstz/elasticity/response_kernel.hpp"
#include "libstz/loading/mean_field_loading.hpp"
#include "tests/reference/elasticity_fixtures.hpp"
#include "tests/support/tolerance.hpp"

namespace stz {
namespace {

const IsotropicElasticity kVitreloy(92.1, 0.387);

void expect_superposition(const Grid& grid, int events) {
  const FftElasticSolver solver(grid, kVitreloy);
  const ResponseKernel kernel(solver);
  Rng rng(5, RngPurpose::test);
  TensorField eig(grid), stress(grid);
  for (int e = 0; e < events; ++e) {
    const std::size_t site = uniform_index(rng, grid.size());
    SymTensor inc{};
    for (int v = 0; v < 6; ++v) inc[v] = 0.1 * (2 * uniform01(rng) - 1);
    if (grid.dimension() == 2) inc[kYZ] = inc[kXZ] = 0.0;
    eig.add(site, inc);
    kernel.add_translated(stress, site, inc);
  }
  TensorField full(grid);
  solver.solve(eig, nullptr, &full);
  const double drift = testing::relative_max_difference(stress, full);
  std::printf("%d events on %zu voxels: relative drift %.3e\n", events, grid.size(), drift);
  EXPECT_LE(drift, 1e-12);
  // Single-point evaluation agrees with the field update.
  const std::size_t t = grid.size() / 3, s = grid.size() / 7;
  SymTensor inc{};
  inc[kXY] = 1.0;
  TensorField one(grid);
  kernel.add_translated(one, s, inc);
  const SymTensor at = kernel.stress_at(t, s, inc);
  for (int v = 0; v < 6; ++v) EXPECT_DOUBLE_EQ(at[v], one(v, t));
}

TEST(ResponseKernel, SuperpositionEqualsFullSolve2D) {
  expect_superposition(Grid::plane(32, 24), 500);
}
TEST(ResponseKernel, SuperpositionEqualsFullSolve3D) {
  expect_superposition(Grid::box(12, 10, 8), 300);
}

TEST(ResponseKernel, KernelIsCentredAndBounded) {
  const Grid grid = Grid::box(16, 16, 16);
  const ResponseKernel kernel(FftElasticSolver(grid, kVitreloy));
  // A unit shear eigenstrain produces a negative (back) stress at its own voxel, and the far-field
  // bound is smaller than that self stress.
  const double self = kernel.component(kXY)(kXY, 0);
  EXPECT_LT(self, 0.0);
  EXPECT_LT(kernel.far_field_bound(), std::abs(self));
}

TEST(ElasticTensionField, UniformFieldUnderMeanStrainIsTheClosedForm) {
  // Total stress = mean state + fluctuation; with an eigenstrain field the field average equals
  // the closed-form mean stress, and the stress-free components average to zero.
  const Grid grid = Grid::plane(16, 12);
  const TensorField eig = testing::random_eigenstrain(grid, 9, 0.02);
  TensorField fluct(grid);
  FftElasticSolver(grid, kVitreloy).solve(eig, nullptr, &fluct);
  const MeanFieldLoading load(kVitreloy, 2, LoadingMode::tension, 1);
  const MeanState mean = load.state(0.01, eig.mean());
  const SymTensor avg = fluct.mean();
  EXPECT_NEAR(mean.stress[kXX] + avg[kXX], 0.0, 1e-12);
  EXPECT_NEAR(mean.stress[kXY] + avg[kXY], 0.0, 1e-12);
}

}  // namespace
}  // namespace stz
