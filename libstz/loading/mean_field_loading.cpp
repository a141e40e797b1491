#include "libstz/loading/mean_field_loading.hpp"

#include <Eigen/Dense>

#include "libstz/core/error.hpp"

namespace stz {

LoadingMode parse_loading_mode(const std::string& text, const std::string& key) {
  if (text == "tension") return LoadingMode::tension;
  if (text == "compression") return LoadingMode::compression;
  if (text == "shear") return LoadingMode::shear;
  throw ConfigError(key, text, "one of tension, compression, shear");
}

const char* to_string(LoadingMode mode) {
  switch (mode) {
    case LoadingMode::tension:
      return "tension";
    case LoadingMode::compression:
      return "compression";
    case LoadingMode::shear:
      return "shear";
  }
  return "unknown";
}

MeanFieldLoading::MeanFieldLoading(const IsotropicElasticity& elasticity, int dimension,
                                   LoadingMode mode, int axis)
    : m_stiffness(elasticity.tensor_stiffness()),
      m_dimension(dimension),
      m_axis(axis),
      m_loaded(0),
      m_mode(mode) {
  if (dimension != 2 && dimension != 3)
    throw ConfigError("grid.shape", std::to_string(dimension) + " entries", "2 or 3");
  if (axis < 0 || axis >= dimension)
    throw ConfigError("loading.axis", std::to_string(axis),
                      "an axis index in [0, " + std::to_string(dimension - 1) + "]");
  if (mode == LoadingMode::shear) {
    if (axis == 0)
      throw ConfigError("loading.axis", "0", "shear acts on the (x, axis) plane: axis >= 1");
    m_loaded = voigt_index(0, axis);
  } else {
    m_loaded = axis;
  }
  m_strain_prescribed[static_cast<std::size_t>(m_loaded)] = true;
  if (dimension == 2) {
    m_strain_prescribed[kZZ] = m_strain_prescribed[kXZ] = m_strain_prescribed[kYZ] = true;
  }
  const MeanState zero = state(0.0, SymTensor{});
  const MeanState one = state(1.0, SymTensor{});
  m_stress_rate = one.stress - zero.stress;
}

MeanState MeanFieldLoading::state(double control_strain, const SymTensor& mean_eigenstrain) const {
  // Prescribed mean strains: the loaded component, and zero out of plane in 2D.
  SymTensor prescribed{};
  switch (m_mode) {
    case LoadingMode::tension:
      prescribed[m_loaded] = control_strain;
      break;
    case LoadingMode::compression:
      prescribed[m_loaded] = -control_strain;
      break;
    case LoadingMode::shear:
      prescribed[m_loaded] = 0.5 * control_strain;
      break;
  }
  // Unknowns: the mean elastic strain e = E − ⟨ε*⟩ on the stress-free components.
  Eigen::Matrix<double, 6, 1> e = Eigen::Matrix<double, 6, 1>::Zero();
  std::array<int, 6> free_idx{}, fixed_idx{};
  int n_free = 0, n_fixed = 0;
  for (int v = 0; v < 6; ++v) {
    if (m_strain_prescribed[v]) {
      fixed_idx[n_fixed++] = v;
      e[v] = prescribed[v] - mean_eigenstrain[v];
    } else {
      free_idx[n_free++] = v;
    }
  }
  if (n_free > 0) {
    Eigen::MatrixXd cff(n_free, n_free);
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(n_free);
    for (int i = 0; i < n_free; ++i) {
      for (int j = 0; j < n_free; ++j) cff(i, j) = m_stiffness(free_idx[i], free_idx[j]);
      for (int j = 0; j < n_fixed; ++j)
        rhs[i] -= m_stiffness(free_idx[i], fixed_idx[j]) * e[fixed_idx[j]];
    }
    const Eigen::VectorXd ef = cff.ldlt().solve(rhs);
    for (int i = 0; i < n_free; ++i) e[free_idx[i]] = ef[i];
  }
  const Eigen::Matrix<double, 6, 1> sigma = m_stiffness * e;
  MeanState out;
  for (int v = 0; v < 6; ++v) {
    out.strain[v] = e[v] + mean_eigenstrain[v];
    out.stress[v] = m_strain_prescribed[v] ? sigma[v] : 0.0;  // exact zeros where stress-free
  }
  return out;
}

double MeanFieldLoading::reported_stress(const SymTensor& mean_stress) const {
  const double s = mean_stress[m_loaded];
  return m_mode == LoadingMode::compression ? -s : s;
}

double MeanFieldLoading::reported_strain(const SymTensor& strain) const {
  const double s = strain[m_loaded];
  switch (m_mode) {
    case LoadingMode::tension:
      return s;
    case LoadingMode::compression:
      return -s;
    case LoadingMode::shear:
      return 2.0 * s;
  }
  return s;
}

}  // namespace stz
