// SPEC 4.2: the interior stress of a spherical (3D) / cylindrical (2D plane strain) inclusion
// with a pure-shear eigenstrain converges to Eshelby's analytic value as the radius grows, and the
// far field decays as r⁻³ (3D) / r⁻² (2D).
//
// Analytic interior stress for ε*_xy = e (tensor shear), isotropic infinite matrix, using
// ε_xy = 2 S_1212 ε*_xy and σ_xy = 2μ (ε_xy − ε*_xy):
//   sphere:   S_1212 = (4 − 5ν)/(15(1 − ν))  ⇒  σ_xy = −2μ e (7 − 5ν) / (15 (1 − ν))
//   cylinder: S_1212 = (3 − 4ν)/(8(1 − ν))   ⇒  σ_xy = −μ e / (2 (1 − ν))
// The periodic box is stress-free in the mean (E = ⟨ε*⟩, as the infinite body is), so the
// remaining difference is (i) the staircase of the voxelised boundary and (ii) the interaction
// with the periodic images, which is O(f) in the inclusion's volume fraction f. In 3D (ii) is
// ≈ −1.4 f (< 1.2 % for a box of 8 radii); in 2D plane strain the images interact as r⁻², and
// (ii) ≈ −2.5 f: a box of 8 radii (f = 4.9 %) is 12 % off, so the 2D convergence test uses a box
// of ≥ 36 radii and a separate test checks the O(f) law itself. docs/theory.md has the table.
#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>

#include "libstz/elasticity/fft_elastic_solver.hpp"
#include "tests/reference/elasticity_fixtures.hpp"

namespace stz {
namespace {

const IsotropicElasticity kVitreloy(92.1, 0.387);
constexpr double kShear = 0.05;

double eshelby_sphere_shear_stress(const IsotropicElasticity& c, double e) {
  const double nu = c.poisson();
  return -2.0 * c.shear_modulus_GPa() * e * (7.0 - 5.0 * nu) / (15.0 * (1.0 - nu));
}

double eshelby_cylinder_shear_stress(const IsotropicElasticity& c, double e) {
  return -c.shear_modulus_GPa() * e / (2.0 * (1.0 - c.poisson()));
}

SymTensor unit_shear(double e) {
  SymTensor t{};
  t[kXY] = e;
  return t;
}

/// σ_xy at the centre voxel of an inclusion of radius r in an n^d box (centred).
double centre_shear_stress(const Grid& grid, double radius, bool smooth) {
  std::array<int, 3> c{grid.extent(0) / 2, grid.extent(1) / 2, grid.extent(2) / 2};
  const TensorField eig = smooth ? testing::smooth_inclusion(grid, c, radius, unit_shear(kShear))
                                 : testing::inclusion(grid, c, radius, unit_shear(kShear));
  TensorField stress(grid);
  FftElasticSolver(grid, kVitreloy).solve(eig, nullptr, &stress);
  return stress(kXY, grid.index(c[0], c[1], c[2]));  // fluctuation = total: zero mean stress
}

TEST(Eshelby, VoxelisedSphereConvergesIn3D) {
  // Staircase spheres in a 64³ box (>= 8 radii for r <= 8). Observed errors 10 %, 1.3 %, 0.7 %.
  const double exact = eshelby_sphere_shear_stress(kVitreloy, kShear);
  double previous = 1.0;
  for (double radius : {3.0, 5.0, 7.0}) {
    const double error =
        std::abs(centre_shear_stress(Grid::box(64, 64, 64), radius, false) / exact - 1.0);
    std::printf("voxelised sphere r = %.0f in 64^3: relative error %.4f\n", radius, error);
    if (radius >= 5.0) {
      EXPECT_LT(error, 0.02);
    }
    EXPECT_LT(error, previous);
    previous = error;
  }
}

TEST(Eshelby, SmoothSphereWithinTwoPercentIn3D) {
  const double exact = eshelby_sphere_shear_stress(kVitreloy, kShear);
  for (double radius : {5.0, 7.0}) {
    const double error =
        std::abs(centre_shear_stress(Grid::box(64, 64, 64), radius, true) / exact - 1.0);
    std::printf("smooth sphere r = %.0f in 64^3: relative error %.4f\n", radius, error);
    EXPECT_LT(error, 0.02);
  }
}

TEST(Eshelby, SmoothCylinderConvergesIn2D) {
  // Box of 512 voxels: >= 36 radii, f <= 0.24 %; expected errors ≈ 2.5 f + staircase < 1 %.
  const double exact = eshelby_cylinder_shear_stress(kVitreloy, kShear);
  for (double radius : {7.0, 10.0, 14.0}) {
    const double error =
        std::abs(centre_shear_stress(Grid::plane(512, 512), radius, true) / exact - 1.0);
    std::printf("smooth cylinder r = %.0f in 512^2: relative error %.4f\n", radius, error);
    EXPECT_LT(error, 0.02);
  }
}

TEST(Eshelby, PlaneStrainImageCorrectionIsLinearInAreaFraction) {
  // r = 7 in boxes of 64, 128, 256: the error shrinks with the area fraction f = πr²/n² and
  // error/f stays near −2.5 (observed −2.5, −2.4, −1.9; the last one has a staircase share).
  const double exact = eshelby_cylinder_shear_stress(kVitreloy, kShear);
  double previous = 1.0;
  for (int n : {64, 128, 256}) {
    const double error = centre_shear_stress(Grid::plane(n, n), 7.0, true) / exact - 1.0;
    const double f = 3.14159265358979 * 49.0 / (n * n);
    std::printf("smooth cylinder r = 7 in %d^2: error %.4f, error/f %.2f\n", n, error, error / f);
    EXPECT_LT(std::abs(error), previous);
    EXPECT_GT(error / f, -3.0);
    EXPECT_LT(error / f, -1.5);
    previous = std::abs(error);
  }
}

/// Least-squares slope of log|σ_xy| against log r along the x axis, r in [r0, r1], for a unit
/// shear eigenstrain in one voxel.
double far_field_exponent(const Grid& grid, int r0, int r1) {
  TensorField eig(grid);
  const std::array<int, 3> c{grid.extent(0) / 4, grid.extent(1) / 2, grid.extent(2) / 2};
  eig.set(grid.index(c[0], c[1], c[2]), unit_shear(kShear));
  TensorField s(grid);
  FftElasticSolver(grid, kVitreloy).solve(eig, nullptr, &s);
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  int n = 0;
  for (int r = r0; r <= r1; ++r) {
    const double x = std::log(static_cast<double>(r));
    const double y = std::log(std::abs(s(kXY, grid.index(c[0] + r, c[1], c[2]))));
    sx += x, sy += y, sxx += x * x, sxy += x * y, ++n;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

TEST(Eshelby, FarFieldDecaysAsInverseCubeIn3D) {
  // r = 4..12 in a 64³ box: past the lattice-scale near field, within ~20 % of the box, where the
  // images shift the exponent by < 0.05 (observed −3.006); tolerance 0.1.
  const double p = far_field_exponent(Grid::box(64, 64, 64), 4, 12);
  std::printf("3D far-field exponent %.3f (expected -3)\n", p);
  EXPECT_NEAR(p, -3.0, 0.1);
}

TEST(Eshelby, FarFieldDecaysAsInverseSquareIn2D) {
  // r = 6..24 in a 256² box (observed −1.980); tolerance 0.1.
  const double p = far_field_exponent(Grid::plane(256, 256), 6, 24);
  std::printf("2D far-field exponent %.3f (expected -2)\n", p);
  EXPECT_NEAR(p, -2.0, 0.1);
}

}  // namespace
}  // namespace stz
