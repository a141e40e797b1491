// Mean (homogeneous) stress and strain of the periodic box under mixed boundary conditions
// (SPEC 3.3). With homogeneous stiffness the mean stress is ⟨σ⟩ = C (E − ⟨ε*⟩) exactly, so for
// each Voigt component either the mean strain E_v is prescribed or the mean stress σ_v is zero,
// and the rest follows in closed form from a small linear solve.
//
//   tension / compression along axis a: E_aa = ±ε (control strain ε ≥ 0), all other mean
//     stresses zero (stress-free lateral faces in the mean);
//   shear: engineering shear γ = ε on the (first axis, a) plane, i.e. E_xa = ε/2 (tensor),
//     all other mean stresses zero.
//   2D plane strain adds E_zz = E_xz = E_yz = 0 (the total out-of-plane strain vanishes).
#pragma once

#include <array>
#include <string>

#include <Eigen/Core>

#include "libstz/core/voigt.hpp"
#include "libstz/elasticity/isotropic_elasticity.hpp"

namespace stz {

enum class LoadingMode { tension, compression, shear };

/// Parses "tension" | "compression" | "shear"; throws ConfigError naming `key` otherwise.
LoadingMode parse_loading_mode(const std::string& text, const std::string& key = "loading.mode");
const char* to_string(LoadingMode mode);

struct MeanState {
  SymTensor strain{};  ///< mean total strain E (tensor shears)
  SymTensor stress{};  ///< mean stress ⟨σ⟩, GPa
};

class MeanFieldLoading {
 public:
  /// axis: 0, 1 or 2 (< dimension); the loaded direction.
  MeanFieldLoading(const IsotropicElasticity& elasticity, int dimension, LoadingMode mode,
                   int axis);

  /// Mean state at control strain ε (≥ 0: tensile/compressive strain magnitude or engineering
  /// shear) with mean eigenstrain ⟨ε*⟩.
  MeanState state(double control_strain, const SymTensor& mean_eigenstrain) const;

  /// The reported scalar stress: σ_aa for tension, −σ_aa for compression (positive when
  /// compressive), σ_xa for shear. GPa.
  double reported_stress(const SymTensor& mean_stress) const;
  /// The reported scalar of a strain (e.g. the mean plastic eigenstrain): ε_aa for tension,
  /// −ε_aa for compression, the engineering shear 2ε_xa for shear.
  double reported_strain(const SymTensor& strain) const;
  /// The Voigt component the control strain acts on.
  int loaded_component() const { return m_loaded; }
  /// d⟨σ⟩/dε at fixed eigenstrain (the elastic loading rate per unit control strain).
  const SymTensor& stress_per_control_strain() const { return m_stress_rate; }
  /// Apparent elastic modulus d(reported stress)/d(control strain).
  double apparent_modulus() const { return reported_stress(m_stress_rate); }

  LoadingMode mode() const { return m_mode; }
  int axis() const { return m_axis; }
  int dimension() const { return m_dimension; }

 private:
  Eigen::Matrix<double, 6, 6> m_stiffness;
  std::array<bool, 6> m_strain_prescribed{};
  int m_dimension, m_axis, m_loaded;
  LoadingMode m_mode;
  SymTensor m_stress_rate{};
};

}  // namespace stz
