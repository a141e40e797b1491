#include <cmath>
#include <set>

#include <gtest/gtest.h>
#include <Eigen/Dense>

#include "libstz/core/error.hpp"
#include "libstz/core/rng.hpp"

namespace stz {
namespace {

TEST(Rng, SameSeedAndPurposeGiveTheSameStream) {
  Rng a(42, RngPurpose::kmc), b(42, RngPurpose::kmc);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a(), b());
}

TEST(Rng, PurposesSeedsAndIndicesGiveDifferentStreams) {
  std::set<std::uint64_t> first;
  for (auto p : {RngPurpose::mro_map, RngPurpose::orientation, RngPurpose::barrier,
                 RngPurpose::residual, RngPurpose::kmc, RngPurpose::catalog})
    for (std::uint64_t seed : {1, 2})
      for (std::uint64_t index : {0, 1}) first.insert(Rng(seed, p, index)());
  EXPECT_EQ(first.size(), 24u);
}

TEST(Rng, SavedStateRestoresExactly) {
  Rng a(7, RngPurpose::barrier, 3);
  for (int i = 0; i < 12345; ++i) a();
  const std::string state = a.save_state();
  Rng b = Rng::restore_state(state);
  EXPECT_EQ(b.save_state(), state);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a(), b());
}

TEST(Rng, MalformedStateIsRejected) {
  EXPECT_THROW(Rng::restore_state("1 2 three"), Error);
  EXPECT_THROW(Rng::restore_state(""), Error);
}

TEST(Rng, UniformDeviatesStayInTheirRanges) {
  Rng r(1, RngPurpose::test);
  double sum = 0.0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = uniform01(r), v = uniform01_open_low(r);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ASSERT_GT(v, 0.0);
    ASSERT_LE(v, 1.0);
    sum += u;
  }
  // Mean of U(0,1) has standard error 1/sqrt(12 n) ≈ 6.5e-4; allow 5 of them.
  EXPECT_NEAR(sum / n, 0.5, 5 * 6.5e-4);
}

TEST(Rng, NormalDeviatesHaveUnitVariance) {
  Rng r(2, RngPurpose::test);
  const int n = 200000;
  double s1 = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = standard_normal(r);
    s1 += x;
    s2 += x * x;
  }
  // Standard errors: mean 1/sqrt(n) ≈ 2.2e-3, variance sqrt(2/n) ≈ 3.2e-3; 5 of each.
  EXPECT_NEAR(s1 / n, 0.0, 0.011);
  EXPECT_NEAR(s2 / n, 1.0, 0.016);
}

TEST(Rng, UniformIndexCoversTheRangeEvenly) {
  Rng r(3, RngPurpose::test);
  std::array<int, 7> counts{};
  const int n = 70000;
  for (int i = 0; i < n; ++i) counts[uniform_index(r, 7)]++;
  // Binomial sd sqrt(n p (1-p)) ≈ 92.6; 5 sd.
  for (int c : counts) EXPECT_NEAR(c, n / 7.0, 5 * 92.6);
}

TEST(Rng, RandomRotationsAreProperAndIsotropic) {
  Rng r(4, RngPurpose::test);
  Eigen::Vector3d mean_axis = Eigen::Vector3d::Zero();
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const Eigen::Matrix3d q = random_rotation(r);
    ASSERT_LT((q * q.transpose() - Eigen::Matrix3d::Identity()).norm(), 1e-12);
    ASSERT_NEAR(q.determinant(), 1.0, 1e-12);
    mean_axis += q.col(2);
  }
  // A uniform rotation maps e_z uniformly onto the sphere: each mean component has standard
  // error sqrt(1/(3n)) ≈ 4.1e-3; 5 standard errors.
  EXPECT_LT((mean_axis / n).cwiseAbs().maxCoeff(), 5 * 4.1e-3);
}

}  // namespace
}  // namespace stz
