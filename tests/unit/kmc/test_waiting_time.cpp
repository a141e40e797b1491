// The kMC clock: Δt = −ln(u)/R and its input checks.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "libstz/core/error.hpp"
#include "libstz/kmc/waiting_time.hpp"

namespace stz {
namespace {

TEST(WaitingTime, IsMinusLogUOverTheTotalRate) {
  EXPECT_EQ(exponential_waiting_time(2.0, 1.0), 0.0);
  EXPECT_DOUBLE_EQ(exponential_waiting_time(2.0, std::exp(-3.0)), 1.5);
  EXPECT_DOUBLE_EQ(exponential_waiting_time(1.0e-4, 0x1.0p-53), 53.0 * std::log(2.0) * 1.0e4);
  EXPECT_EQ(exponential_waiting_time(std::numeric_limits<double>::infinity(), 0.5), 0.0);
}

TEST(WaitingTime, RejectsNonPositiveRatesAndUOutsideTheHalfOpenInterval) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(exponential_waiting_time(0.0, 0.5), Error);
  EXPECT_THROW(exponential_waiting_time(-1.0, 0.5), Error);
  EXPECT_THROW(exponential_waiting_time(nan, 0.5), Error);
  EXPECT_THROW(exponential_waiting_time(1.0, 0.0), Error);
  EXPECT_THROW(exponential_waiting_time(1.0, 1.5), Error);
  EXPECT_THROW(exponential_waiting_time(1.0, nan), Error);
}

}  // namespace
}  // namespace stz
