// Seeded statistical validation of event selection (SPEC 4.5): selection frequencies follow the
// rates (chi-square goodness of fit) and waiting times are exponential with mean 1/R (mean and
// Kolmogorov–Smirnov). The same bodies run against both selectors. Each test also shows that
// its statistic rejects a slightly wrong hypothesis, so a pass means something.
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "libstz/core/rng.hpp"
#include "libstz/kmc/rate_selector.hpp"
#include "libstz/kmc/waiting_time.hpp"

namespace stz {
namespace {

struct ChiSquare {
  double statistic;
  int dof;
};

/// Pearson's statistic of `counts` against rates ∝ `rates`. Categories are taken in order of
/// decreasing expectation and grouped until each group expects >= 5 draws (the usual validity
/// rule); a short tail joins the last group. Zero-rate categories are left out (the caller
/// checks they were never drawn).
ChiSquare chi_square(const std::vector<long>& counts, const std::vector<double>& rates) {
  const double total_rate = std::accumulate(rates.begin(), rates.end(), 0.0);
  const double draws = static_cast<double>(std::accumulate(counts.begin(), counts.end(), 0L));
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < rates.size(); ++i)
    if (rates[i] > 0.0) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return rates[a] > rates[b]; });
  std::vector<double> expected_groups, observed_groups;
  double expected = 0.0, observed = 0.0;
  for (std::size_t i : order) {
    expected += draws * rates[i] / total_rate;
    observed += static_cast<double>(counts[i]);
    if (expected >= 5.0) {
      expected_groups.push_back(expected);
      observed_groups.push_back(observed);
      expected = observed = 0.0;
    }
  }
  if (expected > 0.0) {
    expected_groups.back() += expected;
    observed_groups.back() += observed;
  }
  double statistic = 0.0;
  for (std::size_t g = 0; g < expected_groups.size(); ++g) {
    const double d = observed_groups[g] - expected_groups[g];
    statistic += d * d / expected_groups[g];
  }
  return {statistic, static_cast<int>(expected_groups.size()) - 1};
}

/// Upper 1e−4 point of χ² with k degrees of freedom by Wilson–Hilferty: (χ²/k)^(1/3) is close to
/// normal with mean 1 − 2/(9k) and variance 2/(9k). Checked against the exact quantile: it is
/// high by 0.18 % at k = 49 and 1.4 % at k = 8, so the test's false-alarm probability lies
/// between 0.8e−4 and 1e−4 for every k used here.
double chi_square_critical_1e4(int k) {
  const double z = 3.719016485455709;  // Φ⁻¹(1 − 1e−4)
  const double v = 2.0 / (9.0 * k);
  return k * std::pow(1.0 - v + z * std::sqrt(v), 3);
}

class SelectionStatistics : public ::testing::TestWithParam<SelectorKind> {};

std::vector<long> draw_counts(const RateSelector& selector, Rng& rng, long draws) {
  std::vector<long> counts(selector.size(), 0);
  for (long k = 0; k < draws; ++k) ++counts[selector.select(uniform01(rng))];
  return counts;
}

TEST_P(SelectionStatistics, FrequenciesFollowTheRates) {
  // 50 positive categories with rates spread over e^±3, and 6 zero rates among them.
  Rng rng(41, RngPurpose::test);
  std::vector<double> rates;
  for (int i = 0; i < 56; ++i)
    rates.push_back(i % 9 == 4 ? 0.0 : std::exp(-3.0 + 6.0 * uniform01(rng)));
  auto selector = make_selector(GetParam());
  selector->resize(rates.size());
  selector->set_all(rates);
  const std::vector<long> counts = draw_counts(*selector, rng, 1000000);
  for (std::size_t i = 0; i < rates.size(); ++i)
    if (rates[i] == 0.0) {
      EXPECT_EQ(counts[i], 0) << i;
    }

  const ChiSquare fit = chi_square(counts, rates);
  EXPECT_EQ(fit.dof, 49);
  EXPECT_LT(fit.statistic, chi_square_critical_1e4(fit.dof));
  RecordProperty("chi_square", std::to_string(fit.statistic));

  // Power: the same draws against rates with the largest one 10 % off must be rejected.
  std::vector<double> wrong = rates;
  *std::max_element(wrong.begin(), wrong.end()) *= 1.1;
  EXPECT_GT(chi_square(counts, wrong).statistic, chi_square_critical_1e4(49));
}

TEST_P(SelectionStatistics, FrequenciesFollowRatesSpanningThirtyDecades) {
  // Rates 10^0 … 10^−30 in 50 geometric steps: only the top ~9 categories are ever expected to
  // be drawn in 1e6 draws; the rest form the grouped tail.
  std::vector<double> rates;
  for (int i = 0; i < 50; ++i) rates.push_back(std::pow(10.0, -30.0 * i / 49.0));
  rates.insert(rates.begin() + 3, 0.0);
  Rng rng(42, RngPurpose::test);
  auto selector = make_selector(GetParam());
  selector->resize(rates.size());
  selector->set_all(rates);
  const std::vector<long> counts = draw_counts(*selector, rng, 1000000);
  EXPECT_EQ(counts[3], 0);
  const ChiSquare fit = chi_square(counts, rates);
  EXPECT_GE(fit.dof, 6);
  EXPECT_LT(fit.statistic, chi_square_critical_1e4(fit.dof));
  RecordProperty("chi_square_multiscale", std::to_string(fit.statistic));
  RecordProperty("chi_square_multiscale_dof", fit.dof);
}

/// Kolmogorov–Smirnov distance between the sample and the exponential CDF with rate R.
double ks_distance(std::vector<double> sample, double rate) {
  std::sort(sample.begin(), sample.end());
  const double n = static_cast<double>(sample.size());
  double d = 0.0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const double f = -std::expm1(-rate * sample[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}

TEST_P(SelectionStatistics, WaitingTimesAreExponentialWithMeanOneOverR) {
  Rng rng(43, RngPurpose::test);
  auto selector = make_selector(GetParam());
  selector->resize(1000);
  for (std::size_t i = 0; i < 1000; ++i)
    selector->set(i, std::pow(10.0, -17.0 + 30.0 * uniform01(rng)));
  const double total = selector->total();

  const std::size_t n = 200000;
  std::vector<double> times(n);
  for (double& t : times) t = exponential_waiting_time(total, uniform01_open_low(rng));
  const double mean = std::accumulate(times.begin(), times.end(), 0.0) / static_cast<double>(n);
  // The exponential's standard deviation equals its mean 1/R: standard error (1/R)/√n.
  const double standard_error = 1.0 / total / std::sqrt(static_cast<double>(n));
  EXPECT_NEAR(mean, 1.0 / total, 4.0 * standard_error);
  RecordProperty("mean_deviation_in_standard_errors",
                 std::to_string((mean - 1.0 / total) / standard_error));

  // Two-sided KS at α = 1e−3: P(√n·D > x) ≈ 2·exp(−2x²) (the next term of the Kolmogorov series
  // is ~1e−13 here) gives x = √(ln(2/α)/2) = 1.9495; at n = 2e5 the finite-n correction is ~0.2 %.
  const double critical =
      std::sqrt(std::log(2.0 / 1.0e-3) / 2.0) / std::sqrt(static_cast<double>(n));
  const double d = ks_distance(times, total);
  EXPECT_LT(d, critical);
  RecordProperty("ks_distance", std::to_string(d));
  // Power: a 5 % error in the rate must be rejected by the same sample.
  EXPECT_GT(ks_distance(times, 1.05 * total), critical);
}

INSTANTIATE_TEST_SUITE_P(BothSelectors, SelectionStatistics,
                         ::testing::Values(SelectorKind::linear, SelectorKind::sum_tree),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace stz
