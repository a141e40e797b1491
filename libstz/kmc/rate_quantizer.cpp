#include "libstz/kmc/rate_quantizer.hpp"

#include <bit>
#include <cmath>
#include <cstdint>

#include "libstz/core/error.hpp"

namespace stz::detail {

namespace {

int ceil_log2(std::size_t n) {
  return n <= 1 ? 0 : static_cast<int>(std::bit_width(n - 1));
}

}  // namespace

int RateQuantizer::magnitude_class(double positive_rate) {
  const DoubleParts d = decompose(positive_rate);
  const int log2_floor = d.exponent + static_cast<int>(std::bit_width(d.mantissa)) - 1;
  // floor((log2_floor + 64) / 128) with a non-negative dividend; log2_floor >= −1074.
  return (log2_floor + 64 + kClassOffset * kClassWidth) / kClassWidth - kClassOffset;
}

void RateQuantizer::reset(std::size_t n) {
  m_count.fill(0);
  m_top = 0;
  m_quanta_bits = 255 - ceil_log2(n);
  refresh_shift();
}

void RateQuantizer::recount(const double* rates, std::size_t n) {
  reset(n);
  for (std::size_t i = 0; i < n; ++i)
    if (rates[i] > 0.0)
      ++m_count[static_cast<std::size_t>(magnitude_class(rates[i]) + kClassOffset)];
  for (int c = kClasses - 1; c >= 0; --c)
    if (m_count[static_cast<std::size_t>(c)] != 0) {
      m_top = c - kClassOffset;
      break;
    }
  refresh_shift();
}

bool RateQuantizer::record_change(double old_rate, double new_rate) {
  const int before = m_top;
  if (old_rate > 0.0) {
    std::size_t& count =
        m_count[static_cast<std::size_t>(magnitude_class(old_rate) + kClassOffset)];
    STZ_ASSERT(count > 0, "rate ", old_rate, " was not recorded");
    --count;
  }
  bool above_top = false;
  if (new_rate > 0.0) {
    const int c = magnitude_class(new_rate);
    ++m_count[static_cast<std::size_t>(c + kClassOffset)];
    above_top = c > m_top;
  }
  // The top class is unchanged while it is still occupied and nothing landed above it.
  if (!above_top && m_count[static_cast<std::size_t>(m_top + kClassOffset)] != 0) return false;
  m_top = 0;
  for (int c = kClasses - 1; c >= 0; --c)
    if (m_count[static_cast<std::size_t>(c)] != 0) {
      m_top = c - kClassOffset;
      break;
    }
  refresh_shift();
  return m_top != before;
}

void RateQuantizer::refresh_shift() {
  // Rates of the top class are below 2^(128·top + 64); map that bound to 2^m_quanta_bits.
  m_shift = m_quanta_bits - (kClassWidth * m_top + 64);
}

double RateQuantizer::to_rate(const UInt256& quanta) const {
  int top_limb = 3;
  while (top_limb >= 0 && quanta.limb[static_cast<std::size_t>(top_limb)] == 0) --top_limb;
  if (top_limb < 0) return 0.0;
  const int high_bit =
      64 * top_limb +
      static_cast<int>(std::bit_width(quanta.limb[static_cast<std::size_t>(top_limb)])) - 1;
  if (high_bit < 64) return std::ldexp(static_cast<double>(quanta.limb[0]), -m_shift);
  // The 64 bits below and including high_bit, with a sticky bit for anything lower, convert to
  // the correctly rounded double.
  const int low = high_bit - 63;
  const auto word = static_cast<std::size_t>(low / 64);
  const int bit = low % 64;
  std::uint64_t window = quanta.limb[word] >> bit;
  if (bit != 0) window |= quanta.limb[word + 1] << (64 - bit);
  bool sticky = bit != 0 && (quanta.limb[word] & ((std::uint64_t{1} << bit) - 1)) != 0;
  for (std::size_t k = 0; k < word; ++k) sticky = sticky || quanta.limb[k] != 0;
  if (sticky) window |= 1u;
  return std::ldexp(static_cast<double>(window), low - m_shift);
}

void require_index(std::size_t index, std::size_t size) {
  if (index >= size)
    throw Error(concat("kmc rate selector: index ", index, " is out of range [0, ", size, ")"));
}

void require_valid_rate(std::size_t index, double rate) {
  if (!(std::isfinite(rate) && rate >= 0.0))
    throw Error(concat("kmc rate selector: rate[", index, "] = ", rate,
                       " is not allowed (rates must be finite and >= 0)"));
}

void require_selectable(double u, const UInt256& total, std::size_t size) {
  if (total.is_zero())
    throw Error(concat("kmc rate selector: cannot select an event, the total rate of the ", size,
                       " rates is zero"));
  if (!(u >= 0.0 && u < 1.0))
    throw Error(concat("kmc rate selector: random number u = ", u, " is outside [0, 1)"));
}

}  // namespace stz::detail
