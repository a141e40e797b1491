// The tolerance helper is itself tested: it must fail when it should.
#include <cmath>

#include <gtest/gtest.h>

#include "tests/support/tolerance.hpp"

namespace stz::testing {
namespace {

TEST(Tolerance, RelativelyNearAcceptsAndRejects) {
  EXPECT_TRUE(RelativelyNear(1.0 + 1e-9, 1.0, 1e-8));
  EXPECT_FALSE(RelativelyNear(1.0 + 1e-7, 1.0, 1e-8));
  EXPECT_TRUE(RelativelyNear(-2.0, -2.0, 0.0));
  EXPECT_FALSE(RelativelyNear(1e-3, 0.0, 1e-4));  // absolute when the reference is 0
}

TEST(Tolerance, RelativeMaxDifferenceIsScaledByReference) {
  const std::vector<double> a{1.0, 2.0, 3.1}, b{1.0, 2.0, 3.0};
  EXPECT_NEAR(relative_max_difference(a, b), 0.1 / 3.0, 1e-15);
  EXPECT_EQ(relative_max_difference(b, b), 0.0);
  const std::vector<double> zero{0.0, 0.0, 0.0};
  EXPECT_TRUE(std::isinf(relative_max_difference(a, zero)));
}

}  // namespace
}  // namespace stz::testing
