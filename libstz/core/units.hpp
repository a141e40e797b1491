// Units and physical constants used throughout libstz.
// Lengths nm, stresses GPa, energies eV, temperature K, time s (SPEC section 2).
#pragma once

namespace stz::units {

/// Boltzmann constant in eV/K.
inline constexpr double kBoltzmann_eV_per_K = 8.617333262e-5;
/// 1 GPa·nm³ = 1e9 Pa · 1e-27 m³ = 1e-18 J expressed in eV.
inline constexpr double eV_per_GPa_nm3 = 6.241509074;
inline constexpr double pi = 3.14159265358979323846;

/// Thermal energy k_B·T in eV.
inline constexpr double thermal_energy_eV(double temperature_K) {
  return kBoltzmann_eV_per_K * temperature_K;
}

}  // namespace stz::units
