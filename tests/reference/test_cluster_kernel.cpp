// STZ clusters (SPEC 3.1, issue 9 §2): the site-to-site kernel of a cluster STZ is what a fresh
// solve of the spread eigenstrain gives after the cluster average, for any sequence of events
// (superposition is exact: differences are round-off, bounded by 1e-12 relative as for one-voxel
// kernels); the compact kernel and the FFT convolution of the fast engine agree with it; and
// the site stress of one cluster STZ converges to Eshelby's interior stress of the sphere/disc.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>

#include "libstz/elasticity/compact_response_kernel.hpp"
#include "libstz/elasticity/kernel_convolution.hpp"
#include "libstz/elasticity/response_kernel.hpp"
#include "tests/reference/elasticity_fixtures.hpp"
#include "tests/support/tolerance.hpp"

namespace stz {
namespace {

const IsotropicElasticity kVitreloy(92.1, 0.387);

SymTensor random_increment(Rng& rng, int dimension) {
  SymTensor inc{};
  for (int v = 0; v < 6; ++v) inc[static_cast<std::size_t>(v)] = 0.1 * (2 * uniform01(rng) - 1);
  if (dimension == 2) inc[kYZ] = inc[kXZ] = 0.0;
  return inc;
}

void expect_cluster_superposition(const Grid& grid, const StzCluster& cluster, int events) {
  const FftElasticSolver solver(grid, kVitreloy);
  const ResponseKernel kernel(solver, cluster);
  Rng rng(7, RngPurpose::test);
  TensorField eig(grid), stress(grid);
  for (int e = 0; e < events; ++e) {
    const std::size_t site = uniform_index(rng, grid.size());
    const SymTensor inc = random_increment(rng, grid.dimension());
    cluster.spread_add(eig, grid, site, inc);
    kernel.add_translated(stress, site, inc);
  }
  TensorField fresh(grid), scratch;
  site_stress_fluctuation(solver, cluster, eig, fresh, scratch);
  const double drift = testing::relative_max_difference(stress, fresh);
  std::printf("%zu-voxel cluster, %d events on %zu voxels: relative drift %.3e\n", cluster.size(),
              events, grid.size(), drift);
  EXPECT_LE(drift, 1e-12);
}

TEST(ClusterKernel, SuperpositionEqualsTheClusterAveragedSolve2D) {
  const Grid grid = Grid::plane(32, 24, 0.5);
  expect_cluster_superposition(grid, StzCluster::cube(grid, 2), 300);      // not symmetric
  expect_cluster_superposition(grid, StzCluster::sphere(grid, 1.0), 300);  // 13 voxels
}

TEST(ClusterKernel, SuperpositionEqualsTheClusterAveragedSolve3D) {
  const Grid grid = Grid::box(12, 10, 10, 0.5);
  expect_cluster_superposition(grid, StzCluster::sphere(grid, 0.5), 200);
}

TEST(ClusterKernel, CompactKernelAndConvolutionAgreeWithTheFullKernel) {
  const Grid grid = Grid::box(10, 10, 12, 0.5);
  const StzCluster cluster = StzCluster::cube(grid, 2);
  const FftElasticSolver solver(grid, kVitreloy);
  const ResponseKernel full(solver, cluster);
  const std::vector<int> active{kXX, kYY, kZZ, kYZ, kXZ, kXY};
  const CompactResponseKernel compact(solver, active, cluster);
  EXPECT_TRUE(compact.mirror_reduced());
  double scale = 0.0;  // the mirrored entries agree to round-off of the largest entry
  for (int b = 0; b < 6; ++b)
    for (int c = 0; c < 6; ++c)
      for (const double v : full.component(active[b]).component(c))
        scale = std::max(scale, std::abs(v));
  for (std::size_t k = 0; k < grid.size(); k += 7)
    for (int a = 0; a < 6; ++a)
      for (int b = 0; b < 6; ++b)
        EXPECT_NEAR(compact.value(k, a, b), full.component(active[b])(active[a], k), 1e-12 * scale);
  // The fast engine's re-solve: a voxel eigenstrain field (any field, e.g. with a residual part)
  // to the site stress.
  const KernelConvolution convolution(compact, solver, cluster);
  const TensorField eig = testing::random_eigenstrain(grid, 3, 0.05);
  std::vector<double> convolved;
  KernelConvolution::Workspace workspace;
  convolution.convolve(eig, convolved, workspace);
  TensorField fresh(grid), scratch;
  site_stress_fluctuation(solver, cluster, eig, fresh, scratch);
  double diff = 0, ref = 0;
  for (std::size_t i = 0; i < grid.size(); ++i)
    for (std::size_t a = 0; a < 6; ++a) {
      diff = std::max(diff, std::abs(convolved[i * 6 + a] - fresh(active[a], i)));
      ref = std::max(ref, std::abs(fresh(active[a], i)));
    }
  EXPECT_LT(diff / ref, 1e-12);
}

// The compact kernel stores only offsets with 0 <= x_a <= n_a/2 and mirrors the rest
// (compact_response_kernel.hpp). Every entry, at every offset, must equal the full kernel's: odd
// and even extents, 2D with the active set of an STZ rate (xx, yy, xy) and 3D with all six,
// one-voxel STZs and clusters. Tolerance: 1e-12 of the largest entry, the constructor's own
// check (FFT round-off is ~1e-16 of it).
void expect_mirrored_kernel_exact(const Grid& grid, const StzCluster& cluster,
                                  const std::vector<int>& active, std::size_t expect_stored) {
  const FftElasticSolver solver(grid, kVitreloy);
  const ResponseKernel full(solver, cluster);
  const CompactResponseKernel compact(solver, active, cluster);
  ASSERT_TRUE(compact.mirror_reduced());
  EXPECT_EQ(compact.stored_offsets(), expect_stored);
  const int na = static_cast<int>(active.size());
  double scale = 0.0, worst = 0.0;
  for (std::size_t k = 0; k < grid.size(); ++k)
    for (int a = 0; a < na; ++a)
      for (int b = 0; b < na; ++b) {
        const double v = full.component(active[static_cast<std::size_t>(b)])(
            active[static_cast<std::size_t>(a)], k);
        scale = std::max(scale, std::abs(v));
        worst = std::max(worst, std::abs(compact.value(k, a, b) - v));
      }
  EXPECT_LE(worst, 1e-12 * scale);
  // accumulate (the fast engine's path) agrees with value() at a mirrored offset.
  const std::size_t k = grid.wrapped_index(-1, -2, grid.extent(2) > 1 ? -1 : 0);
  std::vector<double> increment(static_cast<std::size_t>(na)), sigma(increment.size(), 0.0);
  for (int b = 0; b < na; ++b) increment[static_cast<std::size_t>(b)] = 0.01 * (b + 1);
  compact.accumulate(k, increment.data(), sigma.data());
  for (int a = 0; a < na; ++a) {
    double expect = 0.0;
    for (int b = 0; b < na; ++b)
      expect += compact.value(k, a, b) * increment[static_cast<std::size_t>(b)];
    EXPECT_NEAR(sigma[static_cast<std::size_t>(a)], expect, 1e-15 * scale);
  }
}

TEST(ClusterKernel, CompactKernelStoresOneMirrorImageAndIsExactEverywhere) {
  const std::vector<int> planar{kXX, kYY, kXY}, all{kXX, kYY, kZZ, kYZ, kXZ, kXY};
  expect_mirrored_kernel_exact(Grid::plane(15, 12), StzCluster{}, planar, 8 * 7);
  const Grid fine = Grid::plane(24, 17, 0.5);
  expect_mirrored_kernel_exact(fine, StzCluster::cube(fine, 2), planar, 13 * 9);
  expect_mirrored_kernel_exact(Grid::box(9, 10, 7), StzCluster{}, all, 5 * 6 * 4);
  const Grid box = Grid::box(12, 11, 10, 0.5);
  expect_mirrored_kernel_exact(box, StzCluster::sphere(box, 0.5), all, 7 * 6 * 6);
}

// Eshelby (ε*_xy = e): sphere σ_xy = −2μe(7 − 5ν)/(15(1 − ν)), cylinder σ_xy = −μe/(2(1 − ν))
// (test_eshelby.cpp). The site stress of a cluster STZ is the average over its voxels of the
// stress of its own spread eigenstrain (the kernel column at offset 0, read off one solve here).
// The voxelised boundary (whose voxels the average includes) and the periodic images
// (O(volume fraction)) set the error; it shrinks with the radius. Measured: 3D radius 3, 5, 7
// voxels in 64³: 3.2 %, 3.0 %, 1.2 %; 2D radius 10, 14 in 512²: 1.1 %, 0.09 %. Bounds: 2.5 %
// at the largest radius (twice the 3D error measured) and monotone convergence.
double cluster_site_stress(const Grid& grid, const StzCluster& cluster, double e) {
  const FftElasticSolver solver(grid, kVitreloy);
  TensorField eig(grid), stress(grid);
  SymTensor inc{};
  inc[kXY] = e;
  cluster.spread_add(eig, grid, 0, inc);
  solver.solve(eig, nullptr, &stress);
  double sum = 0.0;
  for (const auto& u : cluster.offsets()) sum += stress(kXY, StzCluster::shifted(grid, 0, u));
  return sum / static_cast<double>(cluster.size());
}

TEST(ClusterKernel, SiteStressOfASphereClusterConvergesToEshelby) {
  const double e = 0.05, nu = kVitreloy.poisson(), mu = kVitreloy.shear_modulus_GPa();
  const double sphere = -2.0 * mu * e * (7.0 - 5.0 * nu) / (15.0 * (1.0 - nu));
  const double cylinder = -mu * e / (2.0 * (1.0 - nu));
  double previous = 1.0, error = 1.0;
  for (double r : {3.0, 5.0, 7.0}) {
    const Grid grid = Grid::box(64, 64, 64, 0.2);
    const StzCluster ball = StzCluster::sphere(grid, r * 0.2);
    error = std::abs(cluster_site_stress(grid, ball, e) / sphere - 1.0);
    std::printf("sphere cluster r = %.0f (%zu voxels): relative error %.4f\n", r, ball.size(),
                error);
    EXPECT_LT(error, previous);
    previous = error;
  }
  EXPECT_LT(error, 0.025);
  previous = 1.0;
  for (double r : {10.0, 14.0}) {
    const Grid grid = Grid::plane(512, 512, 0.1);
    const StzCluster disc = StzCluster::sphere(grid, r * 0.1);
    error = std::abs(cluster_site_stress(grid, disc, e) / cylinder - 1.0);
    std::printf("disc cluster r = %.0f (%zu voxels): relative error %.4f\n", r, disc.size(), error);
    EXPECT_LT(error, previous);
    previous = error;
  }
  EXPECT_LT(error, 0.025);
}

}  // namespace
}  // namespace stz
