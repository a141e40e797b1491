// Random-number streams. Every random quantity in libstz comes from a pcg64 stream derived
// from (seed, purpose, index), so results do not depend on execution order or thread count.
// The list of purposes below is the complete register of random streams.
#pragma once

#include <cstdint>
#include <string>

#include <Eigen/Core>
#include <pcg_random.hpp>

namespace stz {

/// Every random stream of the simulator, one per purpose (SPEC 3.7).
enum class RngPurpose : std::uint64_t {
  mro_map = 1,      ///< placement, sizes and types of MRO domains
  orientation = 2,  ///< initial site / domain orientations of shear catalogs
  barrier = 3,      ///< per-site barrier spread
  residual = 4,     ///< quenched-in residual eigenstrain
  kmc = 5,          ///< event selection and waiting times
  catalog = 6,      ///< catalog redraws after per-site events
  test = 99,        ///< tests and benchmarks only
};

/// Name of a purpose, for output files.
const char* to_string(RngPurpose purpose);

/// A pcg64 stream identified by (seed, purpose, index). Its state is saved as that identity
/// plus the number of draws taken, so a restart reproduces it exactly.
class Rng {
 public:
  using result_type = std::uint64_t;
  Rng(std::uint64_t seed, RngPurpose purpose, std::uint64_t index = 0);

  result_type operator()() { return m_engine(); }
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }

  /// "seed purpose index draws" (decimal); exact restart point.
  std::string save_state() const;
  /// Inverse of save_state; throws Error on malformed text.
  static Rng restore_state(const std::string& text);

  bool operator==(const Rng& other) const { return m_engine == other.m_engine; }
  /// Same (seed, purpose, index), whatever the draws taken.
  bool same_stream(const Rng& other) const {
    return m_seed == other.m_seed && m_purpose == other.m_purpose && m_index == other.m_index;
  }

 private:
  static pcg64 origin(std::uint64_t seed, RngPurpose purpose, std::uint64_t index);
  std::uint64_t m_seed, m_index;
  RngPurpose m_purpose;
  pcg64 m_engine;
};

/// Independent stream for (seed, purpose, index); index separates e.g. ensemble members.
inline Rng make_rng(std::uint64_t seed, RngPurpose purpose, std::uint64_t index = 0) {
  return Rng(seed, purpose, index);
}

/// Uniform double in [0, 1) with 53 random bits.
inline double uniform01(Rng& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}
/// Uniform double in (0, 1]; safe to take the logarithm of.
inline double uniform01_open_low(Rng& rng) {
  return static_cast<double>((rng() >> 11) + 1) * 0x1.0p-53;
}
/// Uniform integer in [0, n), n >= 1, without modulo bias.
std::uint64_t uniform_index(Rng& rng, std::uint64_t n);
/// Standard normal deviate (Box–Muller, no cached second value so the state is all in rng).
double standard_normal(Rng& rng);
/// Rotation matrix uniformly distributed on SO(3) (Shoemake's unit quaternion method).
Eigen::Matrix3d random_rotation(Rng& rng);
/// Shoemake's map of a point of the unit cube onto SO(3): uniform points give uniform rotations
/// (random_rotation draws the three coordinates; quasi-random points give spread rotations).
Eigen::Matrix3d rotation_from_unit_cube(double u1, double u2, double u3);

}  // namespace stz
