#include <gtest/gtest.h>

#include "libstz/core/voigt.hpp"

namespace stz {
namespace {

TEST(Voigt, DoubleDotCountsShearEntriesTwice) {
  const SymTensor a{1, 2, 3, 4, 5, 6}, b{6, 5, 4, 3, 2, 1};
  // Full contraction Σ_ij a_ij b_ij of the 3×3 matrices.
  EXPECT_DOUBLE_EQ(double_dot(a, b), (to_matrix(a).array() * to_matrix(b).array()).sum());
}

TEST(Voigt, MatrixRoundTripAndIndices) {
  const SymTensor a{1, 2, 3, 4, 5, 6};
  EXPECT_EQ(from_matrix(to_matrix(a)), a);
  EXPECT_EQ(voigt_index(1, 2), kYZ);
  EXPECT_EQ(voigt_index(2, 0), kXZ);
  EXPECT_EQ(voigt_index(0, 1), kXY);
  EXPECT_EQ(voigt_index(2, 2), kZZ);
  EXPECT_DOUBLE_EQ(to_matrix(a)(0, 1), a[kXY]);
}

TEST(Voigt, EngineeringConversionDoublesShearsOnly) {
  const SymTensor t{1, 2, 3, 4, 5, 6};
  const SymTensor e = tensor_to_engineering(t);
  EXPECT_EQ(e, (SymTensor{1, 2, 3, 8, 10, 12}));
  EXPECT_EQ(engineering_to_tensor(e), t);
}

}  // namespace
}  // namespace stz
