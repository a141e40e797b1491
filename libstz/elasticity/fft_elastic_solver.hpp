// Exact periodic voxel finite-element elasticity solved in Fourier space (SPEC 3.2).
//
// One trilinear hexahedral element per voxel, nodes at voxel corners, periodic, full 2×2×2
// Gauss integration (a 2D grid is nx×ny×1 with periodic z, which is exactly the bilinear quad in
// plane strain). With homogeneous stiffness the global stiffness is block-circulant, so the DFT
// diagonalises it: per wave vector a 3×3 Hermitian solve gives the nodal displacements, and the
// element-average (= voxel-centre) strain follows from the centre strain matrix. See
// docs/theory.md for the derivation, the conventions and the Fourier normalisation.
//
// Outputs are the *fluctuations* about the mean: ε − E and σ − ⟨σ⟩, both with zero mean. The mean
// state is set by the loading (libstz/loading).
#pragma once

#include <string>

#include "libstz/elasticity/isotropic_elasticity.hpp"
#include "libstz/grid/grid.hpp"
#include "libstz/grid/voxel_field.hpp"

namespace stz {

/// The FFTW library's version text (provenance).
std::string fftw_library_version();

class FftElasticSolver {
 public:
  FftElasticSolver(const Grid& grid, const IsotropicElasticity& elasticity);

  /// Strain and stress fluctuations caused by the eigenstrain field (tensor shears; GPa).
  /// Either output may be null. Thread-safe; parallel over components and wave vectors with
  /// results independent of the thread count.
  void solve(const TensorField& eigenstrain, TensorField* strain_fluctuation,
             TensorField* stress_fluctuation) const;

  const Grid& grid() const { return m_grid; }
  const IsotropicElasticity& elasticity() const { return m_elasticity; }

 private:
  Grid m_grid;
  IsotropicElasticity m_elasticity;
};

}  // namespace stz
