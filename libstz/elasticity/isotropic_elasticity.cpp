#include "libstz/elasticity/isotropic_elasticity.hpp"

#include "libstz/core/error.hpp"

namespace stz {

IsotropicElasticity::IsotropicElasticity(double youngs_GPa, double poisson)
    : m_youngs(youngs_GPa), m_poisson(poisson) {
  if (!(youngs_GPa > 0.0) || youngs_GPa > 1e4)
    throw ConfigError("material.youngs_GPa", to_display(youngs_GPa), "a modulus in (0, 1e4] GPa");
  if (!(poisson > -1.0 && poisson < 0.5))
    throw ConfigError("material.poisson", to_display(poisson), "a ratio in (-1, 0.5)");
  m_mu = youngs_GPa / (2.0 * (1.0 + poisson));
  m_lambda = youngs_GPa * poisson / ((1.0 + poisson) * (1.0 - 2.0 * poisson));
}

Eigen::Matrix<double, 6, 6> IsotropicElasticity::tensor_stiffness() const {
  Eigen::Matrix<double, 6, 6> c = Eigen::Matrix<double, 6, 6>::Zero();
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) c(i, j) = m_lambda + (i == j ? 2.0 * m_mu : 0.0);
  for (int v = 3; v < 6; ++v) c(v, v) = 2.0 * m_mu;
  return c;
}

}  // namespace stz
