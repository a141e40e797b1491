#include <gtest/gtest.h>

#include "libstz/core/error.hpp"

namespace stz {
namespace {

TEST(Errors, ConfigErrorNamesKeyValueAndAllowedRange) {
  const ConfigError e("material.poisson", "0.7", "a ratio in (-1, 0.5)");
  EXPECT_STREQ(e.what(), "material.poisson = 0.7: a ratio in (-1, 0.5)");
  EXPECT_EQ(e.key(), "material.poisson");
}

TEST(Errors, RequireThrowsInternalErrorWithValues) {
  try {
    const int n = 3;
    STZ_REQUIRE(n == 4, "n = ", n);
    FAIL() << "no throw";
  } catch (const InternalError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("n == 4"), std::string::npos);
    EXPECT_NE(what.find("n = 3"), std::string::npos);
    EXPECT_NE(what.find("test_errors.cpp"), std::string::npos);
  }
}

}  // namespace
}  // namespace stz
