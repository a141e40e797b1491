// The one tolerance helper of the test suite (itself tested in tests/unit/core).
// Every comparison is relative to a stated scale, so a tolerance reads as "fraction of".
#pragma once

#include <span>
#include <string>

#include <gtest/gtest.h>

#include "libstz/grid/voxel_field.hpp"

namespace stz::testing {

/// |a − b| / max(|scale|, tiny).
double relative_difference(double a, double b, double scale);

/// max_i |a_i − b_i| / max_i |b_i| over all components (0 when both are zero).
double relative_max_difference(std::span<const double> a, std::span<const double> b);
double relative_max_difference(const VoxelField<double>& a, const VoxelField<double>& b);

/// gtest predicate: |a − b| <= tol·|b| (tol·1 when b == 0), with the values in the message.
::testing::AssertionResult RelativelyNear(double a, double b, double tol);

}  // namespace stz::testing

#define EXPECT_REL_NEAR(a, b, tol) EXPECT_TRUE(::stz::testing::RelativelyNear((a), (b), (tol)))
#define ASSERT_REL_NEAR(a, b, tol) ASSERT_TRUE(::stz::testing::RelativelyNear((a), (b), (tol)))
