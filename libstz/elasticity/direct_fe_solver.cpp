#include "libstz/elasticity/direct_fe_solver.hpp"

#include <vector>

#include <Eigen/Sparse>
#include <Eigen/SparseCholesky>

#include "libstz/core/error.hpp"
#include "libstz/elasticity/hex_element.hpp"

namespace stz {

DirectFeSolver::DirectFeSolver(const Grid& grid, const IsotropicElasticity& elasticity)
    : m_grid(grid), m_elasticity(elasticity) {
  if (grid.size() > 40000)
    throw ConfigError("grid.shape", std::to_string(grid.size()) + " voxels",
                      "the direct FE oracle is for small grids (<= 40000 voxels)");
}

void DirectFeSolver::solve(const TensorField& eigenstrain, TensorField* strain_fluctuation,
                           TensorField* stress_fluctuation) const {
  const std::size_t n = m_grid.size();
  const double a = m_grid.voxel_nm();
  const auto ke = HexElement::stiffness(m_elasticity, a);
  const SymTensor mean_eig = eigenstrain.mean();

  // Global node of element e's local node c (periodic wrap; in 2D the z-neighbours coincide).
  auto node_of = [&](std::size_t e, int c) {
    const auto x = m_grid.coords(e);
    const auto o = HexElement::node_offset(c);
    return m_grid.wrapped_index(x[0] + o[0], x[1] + o[1], x[2] + o[2]);
  };

  // Node 0 is pinned: its dofs are dropped, the others shift down by 3.
  const long n_dof = 3 * static_cast<long>(n) - 3;
  auto reduced = [](std::size_t node, int i) { return 3 * static_cast<long>(node) + i - 3; };
  std::vector<Eigen::Triplet<double>> triplets;
  triplets.reserve(n * 24 * 24);
  Eigen::VectorXd load = Eigen::VectorXd::Zero(n_dof);
  for (std::size_t e = 0; e < n; ++e) {
    const auto fe = HexElement::eigenstrain_load(m_elasticity, eigenstrain.at(e), a);
    for (int c = 0; c < 8; ++c) {
      const std::size_t nc = node_of(e, c);
      if (nc == 0) continue;
      for (int i = 0; i < 3; ++i) {
        load[reduced(nc, i)] += fe[3 * c + i];
        for (int c2 = 0; c2 < 8; ++c2) {
          const std::size_t nc2 = node_of(e, c2);
          if (nc2 == 0) continue;
          for (int j = 0; j < 3; ++j)
            triplets.emplace_back(reduced(nc, i), reduced(nc2, j), ke(3 * c + i, 3 * c2 + j));
        }
      }
    }
  }
  Eigen::SparseMatrix<double> k(n_dof, n_dof);
  k.setFromTriplets(triplets.begin(), triplets.end());
  Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> ldlt(k);
  if (ldlt.info() != Eigen::Success) throw NumericalError("direct FE: factorisation failed");
  const Eigen::VectorXd u_reduced = ldlt.solve(load);
  if (ldlt.info() != Eigen::Success) throw NumericalError("direct FE: solve failed");

  const auto b_centre = HexElement::strain_matrix(Eigen::Vector3d(0.5, 0.5, 0.5), a);
  for (std::size_t e = 0; e < n; ++e) {
    Eigen::Matrix<double, 24, 1> ue;
    for (int c = 0; c < 8; ++c) {
      const std::size_t nc = node_of(e, c);
      for (int i = 0; i < 3; ++i) ue[3 * c + i] = nc == 0 ? 0.0 : u_reduced[reduced(nc, i)];
    }
    const Eigen::Matrix<double, 6, 1> eps = b_centre * ue;
    SymTensor strain;
    for (int v = 0; v < 6; ++v) strain[static_cast<std::size_t>(v)] = eps[v];
    if (strain_fluctuation) strain_fluctuation->set(e, strain);
    if (stress_fluctuation)
      stress_fluctuation->set(e, m_elasticity.stress(strain - eigenstrain.at(e) + mean_eig));
  }
}

}  // namespace stz
