// A vectorisable exp(x) for the rate kernels: Cody–Waite range reduction x = n ln2 + r,
// |r| <= ln2/2, a degree-13 Taylor polynomial (truncation < 2e-16 relative) and 2^n by exponent
// arithmetic. Relative error ~2 ulp over the clamped range [−700, 700]; it is plain arithmetic,
// so GCC vectorises loops that call it and the result is the same on every thread count.
#pragma once

#include <bit>
#include <cstdint>

namespace stz {

namespace fast_exp_detail {
constexpr double kLog2e = 1.4426950408889634;
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
// Round to nearest by the 1.5·2^52 trick (|x·log2e| < 2^51): branch-free, vectorisable. The sum
// t = x·log2e + kRound lies in [2^52, 2^53), where the ulp is 1, so t's bit pattern is kRound's plus
// the rounded integer n: 2^n is built from t's bits by integer arithmetic (no double→int64
// conversion, which x86 has in vector form only with AVX-512DQ), the same value as from n.
constexpr double kRound = 0x1.8p52;
constexpr std::int64_t kRoundBits = std::bit_cast<std::int64_t>(kRound);

/// exp(r) for |r| <= ln2/2 by Horner; T is double or a GCC/Clang double vector.
template <class T>
inline T reduced_exp(T r) {
  T p = T{} + 1.0 / 6227020800.0;  // 1/13! (T{} + c broadcasts c into a vector)
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  return p;
}
}  // namespace fast_exp_detail

inline double fast_exp(double x) {
  using namespace fast_exp_detail;
  x = x < -700.0 ? -700.0 : (x > 700.0 ? 700.0 : x);
  const double rounded = x * kLog2e + kRound;
  const double n = rounded - kRound;
  const double r = (x - n * kLn2Hi) - n * kLn2Lo;
  const std::int64_t bits = (std::bit_cast<std::int64_t>(rounded) - kRoundBits + 1023) << 52;
  return reduced_exp(r) * std::bit_cast<double>(bits);
}

}  // namespace stz
