// Linear isotropic elasticity, stresses in GPa. Strains are SymTensors with tensor shears, so
// the stiffness below maps ε (tensor shears) to σ: σ = λ tr(ε) I + 2μ ε, entry by entry.
#pragma once

#include <Eigen/Core>

#include "libstz/core/voigt.hpp"

namespace stz {

class IsotropicElasticity {
 public:
  /// youngs_GPa > 0, −1 < poisson < 0.5; throws ConfigError otherwise.
  IsotropicElasticity(double youngs_GPa, double poisson);

  double youngs_GPa() const { return m_youngs; }
  double poisson() const { return m_poisson; }
  double lame_lambda_GPa() const { return m_lambda; }
  double shear_modulus_GPa() const { return m_mu; }
  /// Plane-strain modulus E/(1 − ν²) and Poisson ratio ν/(1 − ν).
  double plane_strain_modulus_GPa() const { return m_youngs / (1.0 - m_poisson * m_poisson); }
  double plane_strain_poisson() const { return m_poisson / (1.0 - m_poisson); }

  /// σ = C : ε.
  SymTensor stress(const SymTensor& strain) const {
    const double p = m_lambda * trace(strain);
    SymTensor s;
    for (int v = 0; v < 6; ++v) s[v] = 2.0 * m_mu * strain[v] + (v < 3 ? p : 0.0);
    return s;
  }
  /// The 6×6 matrix of σ = C ε on tensor-shear Voigt vectors (symmetric for isotropy).
  Eigen::Matrix<double, 6, 6> tensor_stiffness() const;

 private:
  double m_youngs, m_poisson, m_lambda, m_mu;
};

}  // namespace stz
