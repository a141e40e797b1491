// Direct sparse finite-element solve of the same periodic voxel mesh as FftElasticSolver:
// assembles the global stiffness from HexElement, pins one node against rigid translation and
// factorises with Eigen's sparse LDLᵀ. Slow (small grids only); it is the test oracle for the
// FFT solver.
#pragma once

#include "libstz/elasticity/isotropic_elasticity.hpp"
#include "libstz/grid/grid.hpp"
#include "libstz/grid/voxel_field.hpp"

namespace stz {

class DirectFeSolver {
 public:
  DirectFeSolver(const Grid& grid, const IsotropicElasticity& elasticity);

  /// Same contract as FftElasticSolver::solve: fluctuations about the mean (zero mean).
  void solve(const TensorField& eigenstrain, TensorField* strain_fluctuation,
             TensorField* stress_fluctuation) const;

 private:
  Grid m_grid;
  IsotropicElasticity m_elasticity;
};

}  // namespace stz
