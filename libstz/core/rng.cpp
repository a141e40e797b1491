#include "libstz/core/rng.hpp"

#include <cmath>
#include <sstream>

#include "libstz/core/error.hpp"
#include "libstz/core/units.hpp"

namespace stz {
namespace {

// SplitMix64 finaliser: decorrelates nearby seeds before they reach pcg's LCG.
std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

const char* to_string(RngPurpose purpose) {
  switch (purpose) {
    case RngPurpose::mro_map:
      return "mro_map";
    case RngPurpose::orientation:
      return "orientation";
    case RngPurpose::barrier:
      return "barrier";
    case RngPurpose::residual:
      return "residual";
    case RngPurpose::kmc:
      return "kmc";
    case RngPurpose::catalog:
      return "catalog";
    case RngPurpose::test:
      return "test";
  }
  return "unknown";
}

pcg64 Rng::origin(std::uint64_t seed, RngPurpose purpose, std::uint64_t index) {
  const auto p = static_cast<std::uint64_t>(purpose);
  const std::uint64_t hi = mix64(seed ^ mix64(p));
  const std::uint64_t lo = mix64(hi ^ mix64(index + 0x632be59bd9b4e019ULL));
  const pcg_extras::pcg128_t state = (static_cast<pcg_extras::pcg128_t>(hi) << 64) | lo;
  const pcg_extras::pcg128_t stream =
      (static_cast<pcg_extras::pcg128_t>(p) << 64) | mix64(index ^ 0xd1b54a32d192ed03ULL);
  return pcg64(state, stream);
}

Rng::Rng(std::uint64_t seed, RngPurpose purpose, std::uint64_t index)
    : m_seed(seed), m_index(index), m_purpose(purpose), m_engine(origin(seed, purpose, index)) {}

std::string Rng::save_state() const {
  // pcg's own stream operators need GNU 128-bit I/O; the draw count is printed by hand.
  pcg_extras::pcg128_t draws = m_engine - origin(m_seed, m_purpose, m_index);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(draws % 10)));
    draws /= 10;
  } while (draws != 0);
  return std::to_string(m_seed) + " " + std::to_string(static_cast<std::uint64_t>(m_purpose)) +
         " " + std::to_string(m_index) + " " + digits;
}

Rng Rng::restore_state(const std::string& text) {
  std::istringstream in(text);
  std::uint64_t seed = 0, purpose = 0, index = 0;
  std::string digits;
  in >> seed >> purpose >> index >> digits;
  if (in.fail() || digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
    throw Error("malformed random-number state: '" + text + "'");
  pcg_extras::pcg128_t draws = 0;
  for (char ch : digits) draws = draws * 10 + static_cast<unsigned>(ch - '0');
  Rng rng(seed, static_cast<RngPurpose>(purpose), index);
  rng.m_engine.advance(draws);
  return rng;
}

std::uint64_t uniform_index(Rng& rng, std::uint64_t n) {
  STZ_REQUIRE(n > 0, "n = ", n);
  // Lemire-style rejection on the top of the range keeps the draw unbiased.
  const std::uint64_t limit = (~std::uint64_t{0}) - ((~std::uint64_t{0}) % n);
  std::uint64_t x;
  do {
    x = rng();
  } while (x >= limit);
  return x % n;
}

double standard_normal(Rng& rng) {
  const double u1 = uniform01_open_low(rng);
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * units::pi * u2);
}

Eigen::Matrix3d rotation_from_unit_cube(double u1, double u2, double u3) {
  const double a = std::sqrt(1.0 - u1), b = std::sqrt(u1);
  const double w = a * std::sin(2.0 * units::pi * u2), x = a * std::cos(2.0 * units::pi * u2);
  const double y = b * std::sin(2.0 * units::pi * u3), z = b * std::cos(2.0 * units::pi * u3);
  Eigen::Matrix3d r;
  r << 1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),  //
      2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),   //
      2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y);
  return r;
}

Eigen::Matrix3d random_rotation(Rng& rng) {
  const double u1 = uniform01(rng), u2 = uniform01(rng), u3 = uniform01(rng);
  return rotation_from_unit_cube(u1, u2, u3);
}

}  // namespace stz
