// The exact arithmetic under the selectors: 256-bit integers and the rate quantizer.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

#include "libstz/core/rng.hpp"
#include "libstz/kmc/rate_quantizer.hpp"
#include "libstz/kmc/uint256.hpp"

namespace stz {
namespace {

using detail::RateQuantizer;
using detail::UInt256;

constexpr std::uint64_t kAllOnes = ~std::uint64_t{0};

UInt256 from_u128(unsigned __int128 v) {
  UInt256 x;
  x.limb[0] = static_cast<std::uint64_t>(v);
  x.limb[1] = static_cast<std::uint64_t>(v >> 64);
  return x;
}

int bit_width(const UInt256& x) {
  for (int k = 3; k >= 0; --k)
    if (x.limb[static_cast<std::size_t>(k)] != 0)
      return 64 * k + static_cast<int>(std::bit_width(x.limb[static_cast<std::size_t>(k)]));
  return 0;
}

TEST(UInt256, CarriesAndBorrowsCrossEveryLimb) {
  UInt256 x;
  x.limb = {kAllOnes, kAllOnes, kAllOnes, 0};
  x += UInt256::shifted(1, 0);
  EXPECT_EQ(x, UInt256::shifted(1, 192));
  x -= UInt256::shifted(1, 0);
  EXPECT_EQ(x.limb, (std::array<std::uint64_t, 4>{kAllOnes, kAllOnes, kAllOnes, 0}));
  EXPECT_EQ(UInt256::shifted(3, 62), from_u128(static_cast<unsigned __int128>(3) << 62));
  EXPECT_EQ(UInt256::shifted(kAllOnes, 130).limb,
            (std::array<std::uint64_t, 4>{0, 0, kAllOnes << 2, 3}));
}

TEST(UInt256, OrderIsDecidedByTheMostSignificantLimb) {
  UInt256 small, large;
  small.limb = {kAllOnes, kAllOnes, kAllOnes, 1};
  large.limb = {0, 0, 0, 2};
  EXPECT_TRUE(small < large);
  EXPECT_FALSE(large < small);
  EXPECT_FALSE(large < large);
}

TEST(UInt256, SubtractIfNotLessSubtractsOnlyWhenItCan) {
  UInt256 x = UInt256::shifted(5, 100);
  EXPECT_FALSE(detail::subtract_if_not_less(x, UInt256::shifted(6, 100)));
  EXPECT_EQ(x, UInt256::shifted(5, 100));
  EXPECT_TRUE(detail::subtract_if_not_less(x, UInt256::shifted(5, 100)));
  EXPECT_TRUE(x.is_zero());
}

TEST(UInt256, ScaledFloorMatchesA128BitReference) {
  Rng rng(11, RngPurpose::test);
  for (int trial = 0; trial < 200000; ++trial) {
    const std::uint64_t x = rng();
    // Alternate 53-bit uniform deviates with arbitrary doubles in [0, 1), subnormals included.
    double u = uniform01(rng);
    if (trial % 2 == 1) {
      u = std::bit_cast<double>(rng() & 0x3fefffffffffffffull);
      if (!(u < 1.0)) u = 0.5;
    }
    const int e = std::ilogb(u);
    const int exponent = (u == 0.0 ? 0 : std::max(e, -1022)) - 52;
    const auto mantissa = static_cast<std::uint64_t>(std::ldexp(u, -exponent));
    const unsigned __int128 product = static_cast<unsigned __int128>(x) * mantissa;
    const unsigned __int128 expected = -exponent >= 128 ? 0 : product >> -exponent;
    ASSERT_EQ(detail::scaled_floor(from_u128(x), u), from_u128(expected)) << x << " " << u;
  }
}

TEST(UInt256, ScaledFloorIsExactForValuesNear2To255) {
  const UInt256 x = UInt256::shifted(1, 255);
  EXPECT_EQ(detail::scaled_floor(x, 0.5), UInt256::shifted(1, 254));
  EXPECT_EQ(detail::scaled_floor(x, 0.75), UInt256::shifted(3, 253));
  EXPECT_TRUE(detail::scaled_floor(x, 0.0).is_zero());
  // (1 − 2^−53)·2^255 = 2^255 − 2^202.
  EXPECT_EQ(detail::scaled_floor(x, std::nextafter(1.0, 0.0)),
            UInt256::shifted(1, 255) - UInt256::shifted(1, 202));
  // 2^−1074·2^255 < 1.
  EXPECT_TRUE(detail::scaled_floor(x, std::numeric_limits<double>::denorm_min()).is_zero());
}

TEST(RateQuantizer, LargestRateKeepsTheDocumentedPrecision) {
  // Class 0 is [2^−64, 2^64); its smallest member must still get 127 − ⌈log2 n⌉ bits.
  for (std::size_t n : {std::size_t{1}, std::size_t{1000}, std::size_t{1} << 20}) {
    RateQuantizer q;
    q.reset(n);
    const double smallest = std::ldexp(1.0, -64), largest = std::nextafter(std::ldexp(1.0, 64), 0);
    EXPECT_FALSE(q.record_change(0.0, smallest));
    EXPECT_FALSE(q.record_change(0.0, largest));
    const int log2n = n <= 1 ? 0 : static_cast<int>(std::bit_width(n - 1));
    EXPECT_EQ(bit_width(q.quantize(smallest)), 127 - log2n + 1);
    // The sum of n quanta of the largest possible rate must not reach 2^255.
    EXPECT_LE(bit_width(q.quantize(largest)), 255 - log2n);
  }
}

TEST(RateQuantizer, ScaleChangesOnlyAtMagnitudeClassBoundaries) {
  RateQuantizer q;
  q.reset(10);
  const int initial = q.scale_exponent();
  EXPECT_FALSE(q.record_change(0.0, 1.0e13));
  EXPECT_FALSE(q.record_change(0.0, 1.0e-19));
  EXPECT_TRUE(q.record_change(0.0, 1.0e20));  // above 2^64 ≈ 1.8e19
  EXPECT_EQ(q.scale_exponent(), initial - 128);
  EXPECT_TRUE(q.record_change(1.0e20, 0.0));
  EXPECT_EQ(q.scale_exponent(), initial);
  // All rates below 2^−64 ≈ 5.4e−20: the scale moves up by one class.
  EXPECT_FALSE(q.record_change(1.0e13, 0.0));
  EXPECT_TRUE(q.record_change(1.0e-19, 1.0e-30));
  EXPECT_EQ(q.scale_exponent(), initial + 128);

  // From all-zero (class 0 by convention) straight to a tiny rate, and back.
  RateQuantizer empty;
  empty.reset(10);
  EXPECT_TRUE(empty.record_change(0.0, 1.0e-30));
  EXPECT_EQ(empty.scale_exponent(), initial + 128);
  EXPECT_FALSE(empty.record_change(0.0, 0.0));
  EXPECT_TRUE(empty.record_change(1.0e-30, 0.0));
  EXPECT_EQ(empty.scale_exponent(), initial);
}

TEST(RateQuantizer, ScaleDependsOnlyOnTheCurrentRates) {
  const std::vector<double> rates{3.0, 0.0, 1.0e-200, 7.5e30, 2.0};
  RateQuantizer bulk, incremental;
  bulk.recount(rates.data(), rates.size());
  incremental.reset(rates.size());
  incremental.record_change(0.0, 1.0e300);
  for (double r : rates) incremental.record_change(0.0, r);
  incremental.record_change(1.0e300, 0.0);
  EXPECT_EQ(bulk.scale_exponent(), incremental.scale_exponent());
}

TEST(RateQuantizer, RoundTripIsExactWhileNoBitsAreDropped) {
  Rng rng(12, RngPurpose::test);
  RateQuantizer q;
  q.reset(4096);
  q.record_change(0.0, 1.0e13);
  for (int trial = 0; trial < 100000; ++trial) {
    // 10^−15 .. 10^13: every such rate is a multiple of 2^−s here, so no rounding happens.
    const double r = std::pow(10.0, -15.0 + 28.0 * uniform01(rng));
    q.record_change(0.0, r);
    ASSERT_EQ(q.to_rate(q.quantize(r)), r);
    q.record_change(r, 0.0);
  }
}

TEST(RateQuantizer, TinyRatesRoundToNearestButNeverToZero) {
  RateQuantizer q;
  q.reset(1);
  q.record_change(0.0, 1.0);  // s = 255 − 64 = 191
  ASSERT_EQ(q.scale_exponent(), 191);
  q.record_change(0.0, 1.0e-300);
  EXPECT_EQ(q.quantize(1.0e-300), UInt256::shifted(1, 0));
  EXPECT_EQ(q.quantize(std::ldexp(1.0, -191)), UInt256::shifted(1, 0));
  EXPECT_EQ(q.quantize(std::ldexp(1.5, -190)), UInt256::shifted(3, 0));
  EXPECT_EQ(q.quantize(std::ldexp(1.25, -190)), UInt256::shifted(2, 0));  // 2.5 → 2 (even)
  EXPECT_EQ(q.quantize(std::ldexp(1.75, -190)), UInt256::shifted(4, 0));  // 3.5 → 4 (even)
  EXPECT_TRUE(q.quantize(0.0).is_zero());
}

TEST(RateQuantizer, TotalIsCorrectlyRoundedAndOverflowsToInfinity) {
  RateQuantizer q;
  q.reset(1);
  q.record_change(0.0, 1.0);
  ASSERT_EQ(q.scale_exponent(), 191);
  // 2^191 + 1: the nearest double is 2^191 (the extra quantum is far below half an ulp).
  EXPECT_EQ(q.to_rate(UInt256::shifted(1, 191) + UInt256::shifted(1, 0)), 1.0);
  // 2^191 + 2^138 + 1 lies just above the midpoint 1 + 2^−53: rounds up.
  EXPECT_EQ(q.to_rate(UInt256::shifted(1, 191) + UInt256::shifted(1, 138) + UInt256::shifted(1, 0)),
            std::nextafter(1.0, 2.0));
  EXPECT_EQ(q.to_rate(UInt256::shifted(1, 191) + UInt256::shifted(1, 138)), 1.0);  // tie → even

  RateQuantizer huge;
  huge.reset(2);
  const double max = std::numeric_limits<double>::max();
  huge.record_change(0.0, max);
  huge.record_change(0.0, max);
  EXPECT_EQ(huge.to_rate(huge.quantize(max)), max);
  EXPECT_EQ(huge.to_rate(huge.quantize(max) + huge.quantize(max)),
            std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace stz
