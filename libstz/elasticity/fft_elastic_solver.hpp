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
#include "libstz/grid/stz_cluster.hpp"
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

/// The stress fluctuation the sites see: the solve's voxel stress averaged over each site's STZ
/// cluster (the voxel stress itself for one-voxel STZs). `scratch` is reused voxel storage.
void site_stress_fluctuation(const FftElasticSolver& solver, const StzCluster& cluster,
                             const TensorField& eigenstrain, TensorField& out,
                             TensorField& scratch);

/// The site stress fluctuation of one STZ of unit eigenstrain component b (tensor shears) at
/// site 0: the response-kernel column every event is a translated, scaled copy of.
void site_kernel_column(const FftElasticSolver& solver, const StzCluster& cluster, int component,
                        TensorField& out);

}  // namespace stz
