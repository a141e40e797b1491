// Unsigned 256-bit integers: the exact arithmetic behind the event selectors' fixed-point rates
// (see rate_quantizer.hpp). Four 64-bit limbs, least significant first. Only what the selectors
// need: add, subtract, compare, and ⌊u·x⌋ for a double u in [0, 1). Arithmetic wraps modulo
// 2^256; every sum the selectors keep is below 2^255, and the sum tree adds wrapped differences
// to apply a rate decrease.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace stz::detail {

/// Unsigned 256-bit integer (value = Σ limb[k]·2^(64k)).
struct UInt256 {
  std::array<std::uint64_t, 4> limb{};

  /// value·2^shift; requires 0 <= shift and bit_width(value) + shift <= 256.
  static UInt256 shifted(std::uint64_t value, int shift) {
    UInt256 out;
    const int word = shift / 64, bit = shift % 64;
    out.limb[static_cast<std::size_t>(word)] = value << bit;
    if (bit != 0 && word < 3) out.limb[static_cast<std::size_t>(word + 1)] = value >> (64 - bit);
    return out;
  }

  /// Whether the value is 0.
  bool is_zero() const { return (limb[0] | limb[1] | limb[2] | limb[3]) == 0; }
  bool operator==(const UInt256& other) const = default;
};

/// a += b (mod 2^256).
inline UInt256& operator+=(UInt256& a, const UInt256& b) {
#if defined(__x86_64__)
  unsigned char carry = 0;
  for (int k = 0; k < 4; ++k) {
    unsigned long long sum;
    carry = _addcarry_u64(carry, a.limb[k], b.limb[k], &sum);
    a.limb[k] = sum;
  }
#else
  unsigned __int128 carry = 0;
  for (int k = 0; k < 4; ++k) {
    carry += static_cast<unsigned __int128>(a.limb[k]) + b.limb[k];
    a.limb[k] = static_cast<std::uint64_t>(carry);
    carry >>= 64;
  }
#endif
  return a;
}

/// x − y (mod 2^256) into difference; returns the borrow out, i.e. whether x < y.
inline bool subtract_with_borrow(const UInt256& x, const UInt256& y, UInt256& difference) {
#if defined(__x86_64__)
  unsigned char borrow = 0;
  for (int k = 0; k < 4; ++k) {
    unsigned long long d;
    borrow = _subborrow_u64(borrow, x.limb[k], y.limb[k], &d);
    difference.limb[k] = d;
  }
  return borrow != 0;
#else
  std::uint64_t borrow = 0;
  for (int k = 0; k < 4; ++k) {
    const unsigned __int128 d = static_cast<unsigned __int128>(x.limb[k]) - y.limb[k] - borrow;
    difference.limb[k] = static_cast<std::uint64_t>(d);
    borrow = static_cast<std::uint64_t>(d >> 64) & 1u;
  }
  return borrow != 0;
#endif
}

/// a −= b (mod 2^256).
inline UInt256& operator-=(UInt256& a, const UInt256& b) {
  subtract_with_borrow(a, b, a);
  return a;
}

/// a + b and a − b (mod 2^256).
inline UInt256 operator+(UInt256 a, const UInt256& b) {
  return a += b;
}
inline UInt256 operator-(UInt256 a, const UInt256& b) {
  return a -= b;
}

/// Numeric order.
inline bool operator<(const UInt256& a, const UInt256& b) {
  for (int k = 3; k >= 0; --k)
    if (a.limb[k] != b.limb[k]) return a.limb[k] < b.limb[k];
  return false;
}

/// If x >= y: x −= y and returns true; otherwise leaves x and returns false. One borrow chain:
/// the step of every descent and scan in the selectors.
inline bool subtract_if_not_less(UInt256& x, const UInt256& y) {
  UInt256 d;
  if (subtract_with_borrow(x, y, d)) return false;
  x = d;
  return true;
}

/// ⌊u·x⌋ computed exactly, for u in [0, 1) (a double is an integer times a power of two).
UInt256 scaled_floor(const UInt256& x, double u);

}  // namespace stz::detail
