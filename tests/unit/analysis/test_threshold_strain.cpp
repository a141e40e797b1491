// Threshold strain of CFV percolation: synthetic sigmoids (clean, noisy, non-uniformly sampled),
// steps, and the documented edge cases.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "libstz/analysis/threshold_strain.hpp"
#include "libstz/core/error.hpp"
#include "libstz/core/rng.hpp"

namespace stz {
namespace {

// c(ε) = A / (1 + exp(−(ε − ε0)/w)): steepest at ε0 with slope A/(4w).
double sigmoid(double e, double amplitude, double e0, double w) {
  return amplitude / (1.0 + std::exp(-(e - e0) / w));
}

std::vector<double> uniform_strains(double e_max, int points) {
  std::vector<double> e(static_cast<std::size_t>(points));
  for (int i = 0; i < points; ++i) e[static_cast<std::size_t>(i)] = e_max * i / (points - 1);
  return e;
}

TEST(ThresholdStrain, CleanSigmoidUniformSampling) {
  // Δε = 5e-4, w = 4e-3, ε0 off the grid. The raw estimate is an interval midpoint: within Δε/2.
  // The smoothed one: the box filter keeps the sigmoid's point symmetry about ε0, and the
  // parabolic refinement leaves an error far below Δε (measured 9e-8 here); 0.1 Δε is the bound.
  const auto e = uniform_strains(0.1, 201);
  const double delta = 5e-4, e0 = 0.04352;  // 2.3e-4 from the nearest interval midpoint
  std::vector<double> c;
  for (double x : e) c.push_back(sigmoid(x, 100.0, e0, 4e-3));
  const ThresholdStrain t = percolation_threshold_strain(e, c);
  EXPECT_NEAR(t.raw, e0, 0.5 * delta);
  EXPECT_NEAR(t.smoothed, e0, 0.1 * delta);
  // The peak slope A/(4w) = 6250 falls as (1 − δ²/(4w²)) off the peak; the 5-point box (offset
  // variance 2Δε²) lowers it by ≈ 2Δε²/(4w²) ≈ 0.8 % (measured 0.9 %). Bound: within 2 %.
  EXPECT_LT(t.max_slope, 6250.0);
  EXPECT_GT(t.max_slope, 0.98 * 6250.0);
}

TEST(ThresholdStrain, NoisySigmoidsRecoverTheInflection) {
  // Gaussian noise of 1 % of A on 201 points, w = 5e-3. The slope noise after a 5-point average
  // is ≈ σ·sqrt(2/5)/Δε = 0.01 A·0.63/5e-4 ≈ 13 A against a peak of A/(4w) = 50 A; near the peak
  // the slope falls as (A/4w)(1 − (ε−ε0)²/(4w²)), so noise of ~0.25 of the peak moves the argmax
  // by up to ≈ 2w·sqrt(0.25·2) ≈ 1.4 w. We require |error| < 1.5 w = 7.5e-3 for every seed and a
  // mean absolute error below 0.5 w; the raw estimate (differences of unsmoothed noise, ~2.5×
  // noisier) must do worse on average.
  const auto e = uniform_strains(0.1, 201);
  const double w = 5e-3;
  double sum_smoothed = 0.0, sum_raw = 0.0;
  const int seeds = 30;
  for (int seed = 0; seed < seeds; ++seed) {
    Rng rng(static_cast<std::uint64_t>(seed), RngPurpose::test, 7);
    const double e0 = 0.03 + 0.04 * uniform01(rng);
    std::vector<double> c;
    for (double x : e) c.push_back(sigmoid(x, 1.0, e0, w) + 0.01 * standard_normal(rng));
    const ThresholdStrain t = percolation_threshold_strain(e, c);
    EXPECT_NEAR(t.smoothed, e0, 1.5 * w) << "seed " << seed;
    sum_smoothed += std::abs(t.smoothed - e0);
    sum_raw += std::abs(t.raw - e0);
  }
  EXPECT_LT(sum_smoothed / seeds, 0.5 * w);
  EXPECT_LT(sum_smoothed, sum_raw);
}

TEST(ThresholdStrain, NonUniformSampling) {
  // 150 random strains in (0, 0.1) plus the end points: mean gap 0.1/151 ≈ 6.6e-4, median
  // ≈ ln 2 × that. Auto resampling uses the median spacing; the interpolation error of a smooth
  // sigmoid is O(gap²) and nearly symmetric about ε0, so the smoothed estimate is well within one
  // mean gap, the bound (measured 8e-6). The raw estimate is the midpoint of the steepest
  // interval: within the largest gap (3.4e-3 for this seed; asserted < 5e-3) of ε0.
  Rng rng(3, RngPurpose::test);
  std::vector<double> e{0.0, 0.1};
  for (int i = 0; i < 150; ++i) e.push_back(0.1 * uniform01(rng));
  std::sort(e.begin(), e.end());
  double largest_gap = 0.0;
  for (std::size_t i = 0; i + 1 < e.size(); ++i)
    largest_gap = std::max(largest_gap, e[i + 1] - e[i]);
  ASSERT_LT(largest_gap, 5e-3);
  const double e0 = 0.052, w = 4e-3;
  std::vector<double> c;
  for (double x : e) c.push_back(sigmoid(x, 50.0, e0, w));
  const ThresholdStrain t = percolation_threshold_strain(e, c);
  EXPECT_NEAR(t.smoothed, e0, 0.1 / 150);
  EXPECT_NEAR(t.raw, e0, largest_gap);
  // An explicit fine resampling agrees.
  const ThresholdStrain fine = percolation_threshold_strain(e, c, 5, 2001);
  EXPECT_NEAR(fine.smoothed, e0, 0.1 / 150);
}

TEST(ThresholdStrain, StepCurveGivesTheMidpointOfTheJump) {
  // Jump between points 40 (ε = 0.02) and 41 (ε = 0.0205): every estimate is their midpoint.
  // The smoothed slope is a plateau of 5 equal values whose centre is that interval
  // (tolerance: roundoff of strains ~1e-2).
  const auto e = uniform_strains(0.1, 201);
  std::vector<double> c;
  for (std::size_t i = 0; i < e.size(); ++i) c.push_back(i > 40 ? 80.0 : 2.0);
  for (int window : {1, 3, 5, 9}) {
    const ThresholdStrain t = percolation_threshold_strain(e, c, window);
    EXPECT_NEAR(t.smoothed, 0.02025, 1e-15) << "window " << window;
    EXPECT_NEAR(t.raw, 0.02025, 1e-15);
    // Slope of the smoothed step: 78 / (window·Δε).
    EXPECT_NEAR(t.max_slope, 78.0 / (window * 5e-4), 1e-9 * t.max_slope);
  }
}

TEST(ThresholdStrain, FirstOfTwoEqualStepsWins) {
  const auto e = uniform_strains(0.1, 101);
  std::vector<double> c;
  for (std::size_t i = 0; i < e.size(); ++i) c.push_back(i > 30 ? (i > 70 ? 2.0 : 1.0) : 0.0);
  const ThresholdStrain t = percolation_threshold_strain(e, c);
  EXPECT_NEAR(t.smoothed, 0.0305, 1e-15);
  EXPECT_NEAR(t.raw, 0.0305, 1e-15);
}

TEST(ThresholdStrain, FlatOrFallingCurveHasNoThreshold) {
  const auto e = uniform_strains(0.05, 51);
  const ThresholdStrain flat = percolation_threshold_strain(e, std::vector<double>(51, 3.0));
  EXPECT_TRUE(std::isnan(flat.smoothed));
  EXPECT_TRUE(std::isnan(flat.raw));
  EXPECT_EQ(flat.max_slope, 0.0);

  std::vector<double> falling;
  for (double x : e) falling.push_back(1.0 - x);
  const ThresholdStrain f = percolation_threshold_strain(e, falling);
  EXPECT_TRUE(std::isnan(f.smoothed));
  EXPECT_TRUE(std::isnan(f.raw));
  EXPECT_LT(f.max_slope, 0.0);
}

TEST(ThresholdStrain, FewerThanThreeDistinctPointsGiveNaN) {
  for (const auto& [e, c] : std::vector<std::pair<std::vector<double>, std::vector<double>>>{
           {{}, {}},
           {{0.1}, {1.0}},
           {{0.0, 0.1}, {0.0, 5.0}},
           {{0.0, 0.1, 0.1}, {0.0, 1.0, 2.0}}}) {
    const ThresholdStrain t = percolation_threshold_strain(e, c);
    EXPECT_TRUE(std::isnan(t.smoothed));
    EXPECT_TRUE(std::isnan(t.raw));
    EXPECT_TRUE(std::isnan(t.max_slope));
  }
}

TEST(ThresholdStrain, DuplicateStrainsKeepTheLastValue) {
  // Merged series: (0, 0), (0.01, 5), (0.02, 5), (0.03, 6): steepest interval [0, 0.01].
  const std::vector<double> e{0.0, 0.01, 0.01, 0.02, 0.03};
  const std::vector<double> c{0.0, 1.0, 5.0, 5.0, 6.0};
  const ThresholdStrain t = percolation_threshold_strain(e, c, 1);
  EXPECT_NEAR(t.raw, 0.005, 1e-15);
  EXPECT_NEAR(t.smoothed, 0.005, 1e-15);
  EXPECT_NEAR(t.max_slope, 500.0, 1e-9);
}

TEST(ThresholdStrain, AutoResamplingOfUniformDataIsTheIdentity) {
  Rng rng(5, RngPurpose::test);
  const auto e = uniform_strains(0.08, 161);
  std::vector<double> c;
  for (double x : e) c.push_back(sigmoid(x, 10.0, 0.03, 6e-3) + 0.05 * uniform01(rng));
  const ThresholdStrain automatic = percolation_threshold_strain(e, c, 7, 0);
  const ThresholdStrain explicit_points = percolation_threshold_strain(e, c, 7, 161);
  EXPECT_EQ(automatic.smoothed, explicit_points.smoothed);
  EXPECT_EQ(automatic.max_slope, explicit_points.max_slope);
}

TEST(ThresholdStrain, RejectsBadParametersAndData) {
  const auto e = uniform_strains(0.1, 11);
  const std::vector<double> c(11, 1.0);
  for (int window : {0, -1, 2, 4}) {
    try {
      percolation_threshold_strain(e, c, window);
      FAIL() << "window " << window;
    } catch (const ConfigError& err) {
      EXPECT_EQ(err.key(), "cfv.smoothing_window");
    }
  }
  for (std::size_t points : {std::size_t{1}, std::size_t{2}, std::size_t{20'000'000}}) {
    try {
      percolation_threshold_strain(e, c, 5, points);
      FAIL() << "points " << points;
    } catch (const ConfigError& err) {
      EXPECT_EQ(err.key(), "cfv.resample_points");
    }
  }
  auto decreasing = e;
  std::swap(decreasing[3], decreasing[4]);
  EXPECT_THROW(percolation_threshold_strain(decreasing, c), InternalError);
  auto with_nan = c;
  with_nan[5] = std::nan("");
  EXPECT_THROW(percolation_threshold_strain(e, with_nan), InternalError);
  EXPECT_THROW(percolation_threshold_strain(e, std::vector<double>(10, 1.0)), InternalError);
}

// --- Edges, censoring and percolation (issue 9, section 1) ---

std::vector<std::uint8_t> spans_from(const std::vector<double>& c, double level) {
  std::vector<std::uint8_t> s;
  for (double v : c) s.push_back(v >= level ? 1 : 0);
  return s;
}

TEST(ThresholdStrain, JumpInTheLastIntervalIsNotBoostedByTheWindow) {
  // A sigmoid (peak slope A/(4w) = 62500) plus a jump J = 100 in the last interval. Spread by the
  // full 5-point window the jump's slope is J/(5Δε) = 40000: the sigmoid must win. (A window that
  // shrinks at the end gave the jump (2/3)J/Δε = 133000 and moved the estimate to the end.)
  const auto e = uniform_strains(0.1, 201);
  const double delta = 5e-4, e0 = 0.05012;
  std::vector<double> c;
  for (double x : e) c.push_back(sigmoid(x, 1000.0, e0, 4e-3));
  c.back() += 100.0;
  const ThresholdStrain t = percolation_threshold_strain(e, c);
  EXPECT_NEAR(t.smoothed, e0, 0.1 * delta);
  EXPECT_FALSE(t.censored);
  EXPECT_LT(t.max_slope, 62500.0);
}

TEST(ThresholdStrain, SteepestGrowthAtTheEndIsCensored) {
  // The same jump made the steepest feature (J = 1000: 400000 per unit strain after smoothing):
  // the estimate lies within half a window (2.5 Δε) of the end and is flagged; its slope is the
  // jump spread over the full window, not more.
  const auto e = uniform_strains(0.1, 201);
  const double delta = 5e-4;
  std::vector<double> c;
  for (double x : e) c.push_back(sigmoid(x, 1000.0, 0.05, 4e-3));
  c.back() += 1000.0;
  const ThresholdStrain t = percolation_threshold_strain(e, c);
  EXPECT_TRUE(t.censored);
  EXPECT_GT(t.smoothed, 0.1 - 2.5 * delta);
  EXPECT_NEAR(t.max_slope, 1000.0 / (5 * delta), 1e-4 * t.max_slope);  // + the sigmoid's tail
  // Raw: the last interval, which the data do resolve.
  EXPECT_NEAR(t.raw, 0.1 - 0.5 * delta, 1e-12);
  // A jump at the first interval is censored at the start as well.
  std::vector<double> early(e.size(), 10.0);
  early[0] = 0.0;
  const ThresholdStrain s = percolation_threshold_strain(e, early);
  EXPECT_TRUE(s.censored);
  EXPECT_LT(s.smoothed, 2.5 * delta);
  // One window further inside, the same jump is not censored.
  std::vector<double> inside(e.size(), 10.0);
  for (std::size_t i = 0; i < 6; ++i) inside[i] = 0.0;
  const ThresholdStrain u = percolation_threshold_strain(e, inside);
  EXPECT_FALSE(u.censored);
  EXPECT_NEAR(u.smoothed, 5.5 * delta, 1e-12);
}

TEST(Percolation, RunThatNeverSpansHasNoThresholdStrain) {
  // A 0 → 1 voxel step before yield is the steepest feature of a run that never percolates:
  // the threshold strain must be NaN, not the step.
  const auto e = uniform_strains(0.03, 61);
  std::vector<double> c(e.size(), 0.0);
  for (std::size_t i = 25; i < c.size(); ++i) c[i] = 1.0;
  for (std::size_t i = 40; i < c.size(); ++i) c[i] = 1.0 + 0.1 * static_cast<double>(i - 40);
  const std::vector<std::uint8_t> never(e.size(), 0);
  const PercolationAnalysis a = analyse_percolation(e, c, never, 0.0);
  EXPECT_FALSE(a.percolated);
  EXPECT_TRUE(std::isnan(a.percolation_strain));
  EXPECT_TRUE(std::isnan(a.threshold.smoothed));
  EXPECT_TRUE(std::isnan(a.threshold.raw));
  EXPECT_FALSE(a.threshold.censored);
  EXPECT_GT(a.threshold.max_slope, 0.0);  // still reported
  // The same series spanning from point 50 on is a percolated run.
  std::vector<std::uint8_t> late(e.size(), 0);
  for (std::size_t i = 50; i < late.size(); ++i) late[i] = 1;
  const PercolationAnalysis b = analyse_percolation(e, c, late, 0.0);
  EXPECT_TRUE(b.percolated);
  EXPECT_DOUBLE_EQ(b.percolation_strain, e[50]);
  EXPECT_FALSE(std::isnan(b.threshold.smoothed));
}

TEST(Percolation, MinimumVolumeGatesPercolation) {
  // Spanning from point 20 with cfv = i; a minimum of 30 nm³ moves the percolation strain to
  // point 30 and a minimum above the largest value (60) means no percolation.
  const auto e = uniform_strains(0.06, 61);
  std::vector<double> c;
  for (std::size_t i = 0; i < e.size(); ++i) c.push_back(static_cast<double>(i));
  const auto spans = spans_from(c, 20.0);
  EXPECT_DOUBLE_EQ(analyse_percolation(e, c, spans, 0.0).percolation_strain, e[20]);
  EXPECT_DOUBLE_EQ(analyse_percolation(e, c, spans, 30.0).percolation_strain, e[30]);
  EXPECT_DOUBLE_EQ(analyse_percolation(e, c, spans, 60.0).percolation_strain, e[60]);
  const PercolationAnalysis none = analyse_percolation(e, c, spans, 60.5);
  EXPECT_FALSE(none.percolated);
  EXPECT_TRUE(std::isnan(none.threshold.smoothed));
  EXPECT_THROW(analyse_percolation(e, c, spans, -1.0), ConfigError);
  EXPECT_THROW(analyse_percolation(e, c, spans, std::nan("")), ConfigError);
  EXPECT_THROW(analyse_percolation(e, c, std::vector<std::uint8_t>(3, 1), 0.0), InternalError);
}

TEST(Percolation, OfTwoJumpsTheSteeperWinsWhicheverComesFirst) {
  // A small early jump (20 nm³ in one interval) and the run-away jump (400 nm³ over 4
  // intervals, 5× steeper), in both orders; the cluster spans after the big one.
  const auto e = uniform_strains(0.1, 201);
  const double delta = 5e-4;
  for (const bool big_first : {false, true}) {
    const std::size_t small_at = big_first ? 150 : 40, big_at = big_first ? 60 : 120;
    std::vector<double> c(e.size(), 0.0);
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (i > small_at) c[i] += 20.0;
      if (i > big_at) c[i] += 100.0 * static_cast<double>(std::min<std::size_t>(i - big_at, 4));
    }
    const PercolationAnalysis a = analyse_percolation(e, c, spans_from(c, 300.0), 0.0);
    ASSERT_TRUE(a.percolated) << big_first;
    EXPECT_NEAR(a.threshold.smoothed, e[big_at] + 2.0 * delta, 0.5 * delta) << big_first;
    EXPECT_NEAR(a.threshold.raw, e[big_at] + 0.5 * delta, 2.0 * delta) << big_first;
    EXPECT_FALSE(a.threshold.censored);
    EXPECT_DOUBLE_EQ(a.percolation_strain, e[big_at + 3]);
  }
}

TEST(Percolation, NoisyRunsPercolateOrNot) {
  // Noisy sigmoids (1 % of A, as in NoisySigmoidsRecoverTheInflection) that span once past half
  // their amplitude: the threshold is near the inflection and never censored; the same noise on a
  // flat series that never spans gives NaN.
  const auto e = uniform_strains(0.1, 201);
  const double w = 5e-3;
  for (int seed = 0; seed < 10; ++seed) {
    Rng rng(static_cast<std::uint64_t>(seed), RngPurpose::test, 11);
    const double e0 = 0.03 + 0.04 * uniform01(rng);
    std::vector<double> c, flat;
    for (double x : e) {
      c.push_back(100.0 * sigmoid(x, 1.0, e0, w) + standard_normal(rng));
      flat.push_back(5.0 + standard_normal(rng));
    }
    const PercolationAnalysis a = analyse_percolation(e, c, spans_from(c, 50.0), 0.0);
    EXPECT_TRUE(a.percolated);
    EXPECT_NEAR(a.threshold.smoothed, e0, 1.5 * w) << "seed " << seed;
    EXPECT_FALSE(a.threshold.censored);
    EXPECT_LT(a.percolation_strain, e0 + 3.0 * w);
    const PercolationAnalysis b =
        analyse_percolation(e, flat, std::vector<std::uint8_t>(e.size(), 0), 0.0);
    EXPECT_FALSE(b.percolated);
    EXPECT_TRUE(std::isnan(b.threshold.smoothed));
  }
}

}  // namespace
}  // namespace stz
