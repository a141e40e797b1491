// Fixed-point representation of the rates held by an event selector. Each rate r >= 0 becomes
// the 256-bit integer q = round(r·2^s) (q >= 1 whenever r > 0, so no positive rate becomes
// unselectable); every sum and comparison the selectors make is then exact integer arithmetic,
// which is associative: a sum tree and a linear scan compute the same prefix sums bit for bit,
// whatever their order of association or thread count.
//
// The scale exponent s is a pure function of the current rates (never of their history), so a
// selector rebuilt from saved rates behaves exactly like the one that evolved to them. s depends
// on n and on the magnitude class of the largest rate, where class c holds [2^(128c−64),
// 2^(128c+64)) (class 0 = [5.4e−20, 1.8e19]). Every q is then below 2^(255 − ⌈log2 n⌉), so the
// exact total stays below 2^255, and the largest rate keeps at least 127 − ⌈log2 n⌉ significant
// bits (more than a double's 53 for any n < 2^74). s changes, and all quanta are recomputed
// (O(n)), only when the largest rate crosses a class boundary.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "libstz/core/error.hpp"
#include "libstz/kmc/uint256.hpp"

namespace stz::detail {

/// A finite double x >= 0 as mantissa·2^exponent, exactly (subnormals included).
struct DoubleParts {
  std::uint64_t mantissa;
  int exponent;
};

inline DoubleParts decompose(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const auto biased = static_cast<int>((bits >> 52) & 0x7ff);
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
  return {biased != 0 ? fraction | (std::uint64_t{1} << 52) : fraction,
          (biased != 0 ? biased : 1) - 1075};
}

/// Rates as exact fixed-point integers with a history-independent scale (file comment).
class RateQuantizer {
 public:
  /// n rates, all zero.
  void reset(std::size_t n);
  /// Replaces the record of all rates by `rates` (already validated).
  void recount(const double* rates, std::size_t n);
  /// Records that one rate changed; returns true when the scale exponent changed, i.e. every
  /// quantum must be recomputed.
  bool record_change(double old_rate, double new_rate);

  /// round(rate·2^s) (ties to even), at least 1 for rate > 0; rate must be recorded.
  UInt256 quantize(double rate) const {
    if (!(rate > 0.0)) return {};
    const DoubleParts d = decompose(rate);
    const int shift = d.exponent + m_shift;
    if (shift >= 0) {
      STZ_ASSERT(static_cast<int>(std::bit_width(d.mantissa)) + shift <= m_quanta_bits, "rate ",
                 rate, " lies above the recorded largest class");
      return UInt256::shifted(d.mantissa, shift);
    }
    std::uint64_t q = 0;
    const int drop = -shift;
    if (drop < 64) {
      q = d.mantissa >> drop;
      const std::uint64_t remainder = d.mantissa & ((std::uint64_t{1} << drop) - 1);
      const std::uint64_t half = std::uint64_t{1} << (drop - 1);
      if (remainder > half || (remainder == half && (q & 1u) != 0)) ++q;
    }
    return UInt256::shifted(q == 0 ? 1 : q, 0);
  }
  /// The double nearest to quanta·2^(−s) (+inf beyond the double range).
  double to_rate(const UInt256& quanta) const;
  /// The scale exponent s.
  int scale_exponent() const { return m_shift; }

 private:
  static constexpr int kClassWidth = 128;
  static constexpr int kClassOffset = 8;  ///< classes −8..8 cover every finite double
  static constexpr int kClasses = 17;
  static int magnitude_class(double positive_rate);
  void refresh_shift();

  std::array<std::size_t, kClasses> m_count{};
  int m_top = 0;            ///< class of the largest rate (0 when all are zero)
  int m_quanta_bits = 255;  ///< every quantum is below 2^m_quanta_bits
  int m_shift = 255 - 64;
};

/// Throws stz::Error unless index < size.
void require_index(std::size_t index, std::size_t size);
/// Throws stz::Error (with index and value) unless rate is finite and >= 0.
void require_valid_rate(std::size_t index, double rate);
/// Throws stz::Error unless u is in [0, 1) and the total (of `size` rates) is positive.
void require_selectable(double u, const UInt256& total, std::size_t size);

}  // namespace stz::detail
