// Behaviour every RateSelector must show; the same test bodies run against both selectors.
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"
#include "libstz/core/rng.hpp"
#include "libstz/kmc/rate_selector.hpp"

namespace stz {
namespace {

/// Neumaier-compensated sum: within a couple of ulps of the exact sum for these inputs.
double compensated_sum(const std::vector<double>& values) {
  double sum = 0.0, correction = 0.0;
  for (double v : values) {
    const double t = sum + v;
    correction += std::abs(sum) >= std::abs(v) ? (sum - t) + v : (v - t) + sum;
    sum = t;
  }
  return sum + correction;
}

/// Rates log-uniform over 30 decades (1e−17 .. 1e13 s⁻¹), a fraction of them exactly zero.
std::vector<double> multiscale_rates(std::size_t n, Rng& rng, double zero_fraction) {
  std::vector<double> rates(n);
  for (double& r : rates)
    r = uniform01(rng) < zero_fraction ? 0.0 : std::pow(10.0, -17.0 + 30.0 * uniform01(rng));
  return rates;
}

class RateSelectorTest : public ::testing::TestWithParam<SelectorKind> {
 protected:
  std::unique_ptr<RateSelector> make(std::size_t n) const {
    auto selector = make_selector(GetParam());
    selector->resize(n);
    return selector;
  }
};

TEST_P(RateSelectorTest, ResizeGivesZeroRates) {
  auto s = make(13);
  EXPECT_EQ(s->size(), 13u);
  EXPECT_EQ(s->total(), 0.0);
  for (std::size_t i = 0; i < 13; ++i) EXPECT_EQ(s->rate(i), 0.0);
  s->set(4, 2.5);
  s->resize(3);
  EXPECT_EQ(s->size(), 3u);
  EXPECT_EQ(s->total(), 0.0);
}

TEST_P(RateSelectorTest, SetUpdateAndSetAllKeepRatesAndTotalConsistent) {
  auto s = make(4);
  s->set(0, 1.0);
  s->set(2, 2.0);
  s->set(3, 3.0);
  EXPECT_EQ(s->total(), 6.0);  // small integers: the exact total is representable
  EXPECT_EQ(s->rate(2), 2.0);

  const std::vector<std::size_t> indices{1, 3, 1};
  const std::vector<double> rates{5.0, 0.0, 0.25};  // repeated index: the later entry wins
  s->update(indices, rates);
  EXPECT_EQ(s->rate(1), 0.25);
  EXPECT_EQ(s->rate(3), 0.0);
  EXPECT_EQ(s->total(), 3.25);

  const std::vector<double> all{0.5, 0.0, 0.0, 8.0};
  s->set_all(all);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(s->rate(i), all[i]);
  EXPECT_EQ(s->total(), 8.5);

  s->set(0, -0.0);  // accepted as zero, stored as +0
  EXPECT_FALSE(std::signbit(s->rate(0)));
  EXPECT_EQ(s->total(), 8.0);
}

TEST_P(RateSelectorTest, TotalMatchesACompensatedSumOverThirtyDecades) {
  Rng rng(21, RngPurpose::test);
  const std::size_t n = 5000;
  auto s = make(n);
  std::vector<double> rates = multiscale_rates(n, rng, 0.1);
  s->set_all(rates);
  // The selector's total is the correctly rounded exact sum (quantization error ~2^−100
  // relative), the compensated sum is within ~2 ulps of it: allow 4 ulps.
  EXPECT_NEAR(s->total(), compensated_sum(rates), 4 * 2.2e-16 * compensated_sum(rates));
  for (int k = 0; k < 2000; ++k) {
    const auto i = static_cast<std::size_t>(uniform_index(rng, n));
    rates[i] = k % 3 == 0 ? 0.0 : std::pow(10.0, -17.0 + 30.0 * uniform01(rng));
    s->set(i, rates[i]);
  }
  EXPECT_NEAR(s->total(), compensated_sum(rates), 4 * 2.2e-16 * compensated_sum(rates));
}

TEST_P(RateSelectorTest, SelectionFollowsTheCumulativeRule) {
  auto s = make(4);
  s->set_all(std::vector<double>{1.0, 0.0, 2.0, 1.0});  // boundaries at u = 1/4 and 3/4
  const double below = -1.0;
  EXPECT_EQ(s->select(0.0), 0u);
  EXPECT_EQ(s->select(std::nextafter(0.25, below)), 0u);
  EXPECT_EQ(s->select(0.25), 2u);  // the zero rate at index 1 owns no interval
  EXPECT_EQ(s->select(std::nextafter(0.75, below)), 2u);
  EXPECT_EQ(s->select(0.75), 3u);
  EXPECT_EQ(s->select(std::nextafter(1.0, below)), 3u);
}

TEST_P(RateSelectorTest, ZeroRatesAreNeverSelected) {
  Rng rng(22, RngPurpose::test);
  const std::size_t n = 777;
  auto s = make(n);
  s->set_all(multiscale_rates(n, rng, 0.5));
  for (int k = 0; k < 100000; ++k) ASSERT_GT(s->rate(s->select(uniform01(rng))), 0.0);
  // A single positive rate takes every draw, however small it is.
  s->set_all(std::vector<double>(n, 0.0));
  s->set(n - 1, 1.0e-300);
  for (double u : {0.0, 0.3, std::nextafter(1.0, 0.0)}) EXPECT_EQ(s->select(u), n - 1);
}

TEST_P(RateSelectorTest, ExtremeMagnitudesAreHandledExactly) {
  auto s = make(3);
  s->set_all(std::vector<double>{1.0e-300, 0.0, 1.0e-300});
  EXPECT_EQ(s->select(std::nextafter(0.5, 0.0)), 0u);
  EXPECT_EQ(s->select(0.5), 2u);
  const double max = std::numeric_limits<double>::max();
  s->set_all(std::vector<double>{max, 0.0, max});
  EXPECT_EQ(s->total(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(s->select(std::nextafter(0.5, 0.0)), 0u);
  EXPECT_EQ(s->select(0.5), 2u);
}

TEST_P(RateSelectorTest, StateDependsOnlyOnTheCurrentRates) {
  // A selector that reached its rates through many updates (and scale changes) selects exactly
  // like one built from the same rates in one call: restarts reproduce runs bit for bit.
  Rng rng(23, RngPurpose::test);
  const std::size_t n = 1001;
  auto evolved = make(n), fresh = make(n);
  std::vector<double> rates = multiscale_rates(n, rng, 0.2);
  evolved->set_all(rates);
  for (int k = 0; k < 5000; ++k) {
    const auto i = static_cast<std::size_t>(uniform_index(rng, n));
    const double r = k % 997 == 0 ? 1.0e25 : std::pow(10.0, -17.0 + 30.0 * uniform01(rng));
    evolved->set(i, r);
    rates[i] = r;
  }
  fresh->set_all(rates);
  EXPECT_EQ(evolved->total(), fresh->total());
  for (int k = 0; k < 100000; ++k) {
    const double u = uniform01(rng);
    ASSERT_EQ(evolved->select(u), fresh->select(u)) << "u = " << u;
  }
}

TEST_P(RateSelectorTest, BulkRefreshIsIndependentOfTheThreadCount) {
  Rng rng(24, RngPurpose::test);
  const std::size_t n = 100003;
  const std::vector<double> rates = multiscale_rates(n, rng, 0.1);
  const int threads = max_threads();
  set_threads(1);
  auto serial = make(n);
  serial->set_all(rates);
  set_threads(4);
  auto parallel = make(n);
  parallel->set_all(rates);
  set_threads(threads);
  EXPECT_EQ(serial->total(), parallel->total());
  for (int k = 0; k < 2000; ++k) {
    const double u = uniform01(rng);
    ASSERT_EQ(serial->select(u), parallel->select(u));
  }
}

TEST_P(RateSelectorTest, InvalidRatesAndIndicesAreRejectedWithoutSideEffects) {
  auto s = make(5);
  s->set_all(std::vector<double>{1.0, 2.0, 3.0, 4.0, 5.0});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_THROW(s->set(5, 1.0), Error);
  EXPECT_THROW(s->set(0, -1.0), Error);
  EXPECT_THROW(s->set(0, nan), Error);
  EXPECT_THROW(s->set(0, inf), Error);
  EXPECT_THROW(s->rate(5), Error);
  EXPECT_THROW(s->set_all(std::vector<double>(4, 1.0)), Error);
  EXPECT_THROW(s->set_all(std::vector<double>{9.0, 9.0, 9.0, 9.0, nan}), Error);
  const std::vector<std::size_t> indices{0, 7};
  EXPECT_THROW(s->update(indices, std::vector<double>{9.0, 9.0}), Error);
  EXPECT_THROW(s->update(std::vector<std::size_t>{0, 1}, std::vector<double>{9.0, -2.0}), Error);
  EXPECT_THROW(s->update(std::vector<std::size_t>{0}, std::vector<double>{9.0, 9.0}), Error);
  EXPECT_EQ(s->total(), 15.0);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(s->rate(i), static_cast<double>(i + 1));

  try {
    s->set(3, -2.5);
    FAIL() << "negative rate accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rate[3] = -2.5"), std::string::npos) << e.what();
  }
}

TEST_P(RateSelectorTest, SelectionNeedsAPositiveTotalAndAUniformInRange) {
  auto empty = make(0);
  EXPECT_THROW(empty->select(0.5), Error);
  auto s = make(3);
  EXPECT_THROW(s->select(0.5), Error);
  s->set(1, 1.0);
  EXPECT_EQ(s->select(0.5), 1u);
  EXPECT_THROW(s->select(1.0), Error);
  EXPECT_THROW(s->select(-0.1), Error);
  EXPECT_THROW(s->select(std::numeric_limits<double>::quiet_NaN()), Error);
  s->set(1, 0.0);
  EXPECT_THROW(s->select(0.5), Error);
}

INSTANTIATE_TEST_SUITE_P(BothSelectors, RateSelectorTest,
                         ::testing::Values(SelectorKind::linear, SelectorKind::sum_tree),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(SelectorKind, NamesRoundTripAndBadNamesListTheValidOnes) {
  for (SelectorKind kind : {SelectorKind::linear, SelectorKind::sum_tree}) {
    EXPECT_EQ(parse_selector_kind(to_string(kind), "kmc.selector"), kind);
    EXPECT_EQ(make_selector(kind)->size(), 0u);
  }
  try {
    parse_selector_kind("tree", "kmc.selector");
    FAIL() << "bad selector name accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "kmc.selector");
    EXPECT_EQ(e.value(), "tree");
    EXPECT_NE(e.allowed().find("linear"), std::string::npos);
    EXPECT_NE(e.allowed().find("sum_tree"), std::string::npos);
  }
}

}  // namespace
}  // namespace stz
