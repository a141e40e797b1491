// SPEC 4.1: the FFT solution of the periodic voxel-FE problem equals a direct sparse solve of the
// same mesh. Both are exact solutions of one linear system, so they agree to round-off; 1e-8 is
// the contract (observed: ~1e-13).
#include <gtest/gtest.h>

#include "libstz/elasticity/direct_fe_solver.hpp"
#include "libstz/elasticity/fft_elastic_solver.hpp"
#include "tests/reference/elasticity_fixtures.hpp"
#include "tests/support/tolerance.hpp"

namespace stz {
namespace {

const IsotropicElasticity kVitreloy(92.1, 0.387);

void expect_fft_equals_direct(const Grid& grid, std::uint64_t seed) {
  TensorField eig = testing::random_eigenstrain(grid, seed, 0.05);
  if (grid.dimension() == 2)  // plane strain: in-plane and zz eigenstrain only
    for (int v : {kYZ, kXZ}) std::fill(eig.component(v).begin(), eig.component(v).end(), 0.0);
  TensorField strain_fft(grid), stress_fft(grid), strain_fe(grid), stress_fe(grid);
  FftElasticSolver(grid, kVitreloy).solve(eig, &strain_fft, &stress_fft);
  DirectFeSolver(grid, kVitreloy).solve(eig, &strain_fe, &stress_fe);
  const double strain_err = testing::relative_max_difference(strain_fft, strain_fe);
  const double stress_err = testing::relative_max_difference(stress_fft, stress_fe);
  ::testing::Test::RecordProperty("strain_relative_error", std::to_string(strain_err));
  ::testing::Test::RecordProperty("stress_relative_error", std::to_string(stress_err));
  EXPECT_LE(strain_err, 1e-8);
  EXPECT_LE(stress_err, 1e-8);
  // The fluctuation has zero mean.
  for (double m : stress_fft.mean()) EXPECT_NEAR(m, 0.0, 1e-12);
}

TEST(FftVsDirectFe, PlaneStrainEvenGrid) {
  expect_fft_equals_direct(Grid::plane(8, 6), 11);
}
TEST(FftVsDirectFe, PlaneStrainOddGrid) {
  expect_fft_equals_direct(Grid::plane(7, 5, 0.7), 12);
}
TEST(FftVsDirectFe, ThreeDimensionalEvenGrid) {
  expect_fft_equals_direct(Grid::box(6, 4, 6), 13);
}
TEST(FftVsDirectFe, ThreeDimensionalMixedGrid) {
  expect_fft_equals_direct(Grid::box(5, 6, 3, 1.5), 14);
}

}  // namespace
}  // namespace stz
