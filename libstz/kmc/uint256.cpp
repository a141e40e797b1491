#include "libstz/kmc/uint256.hpp"

#include <bit>

#include "libstz/core/error.hpp"

namespace stz::detail {

UInt256 scaled_floor(const UInt256& x, double u) {
  STZ_ASSERT(u >= 0.0 && u < 1.0, "u = ", u);
  UInt256 out;
  if (u == 0.0) return out;
  // u = mantissa·2^exponent exactly, with exponent <= −53 because u < 1.
  const auto bits = std::bit_cast<std::uint64_t>(u);
  const auto biased = static_cast<int>((bits >> 52) & 0x7ff);
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
  const std::uint64_t mantissa = biased != 0 ? fraction | (std::uint64_t{1} << 52) : fraction;
  const int exponent = (biased != 0 ? biased : 1) - 1075;

  // 320-bit product x·mantissa, then shift right by −exponent.
  std::array<std::uint64_t, 5> product{};
  unsigned __int128 carry = 0;
  for (int k = 0; k < 4; ++k) {
    carry += static_cast<unsigned __int128>(x.limb[static_cast<std::size_t>(k)]) * mantissa;
    product[static_cast<std::size_t>(k)] = static_cast<std::uint64_t>(carry);
    carry >>= 64;
  }
  product[4] = static_cast<std::uint64_t>(carry);

  const int shift = -exponent;
  if (shift >= 320) return out;
  const int word = shift / 64, bit = shift % 64;
  for (int k = 0; k < 4; ++k) {
    const int lo = k + word;
    if (lo > 4) break;
    std::uint64_t v = product[static_cast<std::size_t>(lo)] >> bit;
    if (bit != 0 && lo + 1 <= 4) v |= product[static_cast<std::size_t>(lo + 1)] << (64 - bit);
    out.limb[static_cast<std::size_t>(k)] = v;
  }
  return out;
}

}  // namespace stz::detail
