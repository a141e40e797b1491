#include "libstz/analysis/threshold_strain.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "libstz/core/error.hpp"

namespace stz {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMaxResamplePoints = 10'000'000;
// Slopes within this relative distance of the maximum count as equal (a smoothed step).
constexpr double kPlateauTolerance = 1e-9;

// Linear interpolation of (xs, ys) (strictly increasing xs) at m uniform points.
std::vector<double> resample_uniform(const std::vector<double>& xs, const std::vector<double>& ys,
                                     std::size_t m, double& spacing) {
  const double x0 = xs.front(), x1 = xs.back();
  spacing = (x1 - x0) / static_cast<double>(m - 1);
  std::vector<double> out(m);
  std::size_t k = 0;
  for (std::size_t j = 0; j < m; ++j) {
    const double u = j + 1 == m ? x1 : x0 + static_cast<double>(j) * spacing;
    while (k + 2 < xs.size() && xs[k + 1] < u) ++k;
    const double t = (u - xs[k]) / (xs[k + 1] - xs[k]);
    out[j] = ys[k] + std::clamp(t, 0.0, 1.0) * (ys[k + 1] - ys[k]);
  }
  return out;
}

// Centred moving average of full width everywhere; beyond the ends the series is held at its
// end values. (A window that shrinks at the ends leaves the end points unsmoothed, so a jump
// in the last interval would look `window` times steeper than the same jump inside.)
std::vector<double> moving_average(const std::vector<double>& y, int window) {
  const auto half = static_cast<std::ptrdiff_t>(window / 2);
  const auto m = static_cast<std::ptrdiff_t>(y.size());
  std::vector<double> out(y.size());
  for (std::ptrdiff_t j = 0; j < m; ++j) {
    double s = 0.0;
    for (std::ptrdiff_t i = j - half; i <= j + half; ++i)
      s += y[static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(i, 0, m - 1))];
    out[static_cast<std::size_t>(j)] = s / static_cast<double>(window);
  }
  return out;
}

// Index of the first slope within kPlateauTolerance of the (positive) maximum.
std::size_t first_near_max(const std::vector<double>& slope, double max) {
  const double floor = max * (1.0 - kPlateauTolerance);
  std::size_t k = 0;
  while (slope[k] < floor) ++k;
  return k;
}

std::size_t auto_resample_points(const std::vector<double>& xs) {
  std::vector<double> dx(xs.size() - 1);
  for (std::size_t k = 0; k + 1 < xs.size(); ++k) dx[k] = xs[k + 1] - xs[k];
  std::nth_element(dx.begin(), dx.begin() + static_cast<std::ptrdiff_t>(dx.size() / 2), dx.end());
  const double median = dx[dx.size() / 2];
  const double intervals = std::round((xs.back() - xs.front()) / median);
  const double upper = 10.0 * static_cast<double>(xs.size() - 1);
  return static_cast<std::size_t>(std::clamp(intervals, 2.0, upper)) + 1;
}

}  // namespace

ThresholdStrain percolation_threshold_strain(std::span<const double> strain_true,
                                             std::span<const double> cfv, int smoothing_window,
                                             std::size_t resample_points) {
  if (smoothing_window < 1 || smoothing_window % 2 == 0)
    throw ConfigError("cfv.smoothing_window", std::to_string(smoothing_window),
                      "an odd number of points >= 1");
  if (resample_points != 0 && (resample_points < 3 || resample_points > kMaxResamplePoints))
    throw ConfigError("cfv.resample_points", std::to_string(resample_points),
                      "0 (auto) or an integer in [3, 10000000]");
  STZ_REQUIRE(strain_true.size() == cfv.size(), "strain series has ", strain_true.size(),
              " points, CFV series ", cfv.size());

  std::vector<double> xs, ys;
  xs.reserve(cfv.size());
  ys.reserve(cfv.size());
  for (std::size_t i = 0; i < cfv.size(); ++i) {
    STZ_REQUIRE(std::isfinite(strain_true[i]) && std::isfinite(cfv[i]), "non-finite point ", i,
                ": strain ", strain_true[i], ", cfv ", cfv[i]);
    if (!xs.empty()) {
      STZ_REQUIRE(strain_true[i] >= xs.back(), "strain decreases at point ", i, ": ",
                  strain_true[i], " after ", xs.back());
      if (strain_true[i] == xs.back()) {
        ys.back() = cfv[i];
        continue;
      }
    }
    xs.push_back(strain_true[i]);
    ys.push_back(cfv[i]);
  }

  ThresholdStrain result{kNaN, kNaN, kNaN};
  if (xs.size() < 3) return result;

  // Raw: steepest forward difference; the first of (nearly) equal maxima.
  std::vector<double> raw_slope(xs.size() - 1);
  for (std::size_t k = 0; k + 1 < xs.size(); ++k)
    raw_slope[k] = (ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k]);
  const double raw_max = *std::max_element(raw_slope.begin(), raw_slope.end());
  if (raw_max > 0.0) {
    const std::size_t k = first_near_max(raw_slope, raw_max);
    result.raw = 0.5 * (xs[k] + xs[k + 1]);
  }

  // Smoothed: resample, moving average, forward differences.
  const std::size_t m = resample_points != 0 ? resample_points : auto_resample_points(xs);
  double h = 0.0;
  const std::vector<double> smooth =
      moving_average(resample_uniform(xs, ys, m, h), smoothing_window);
  std::vector<double> slope(m - 1);
  for (std::size_t j = 0; j + 1 < m; ++j) slope[j] = (smooth[j + 1] - smooth[j]) / h;
  const double s_max = *std::max_element(slope.begin(), slope.end());
  result.max_slope = s_max;
  if (!(s_max > 0.0)) return result;

  // The first run of (nearly) equal maximal slopes.
  const std::size_t first = first_near_max(slope, s_max);
  std::size_t last = first;
  while (last + 1 < slope.size() && slope[last + 1] >= s_max * (1.0 - kPlateauTolerance)) ++last;
  double position = 0.5 * static_cast<double>(first + last);  // interval index
  if (first == last && first > 0 && last + 1 < slope.size()) {
    const double a = slope[first - 1], b = slope[first + 1];
    const double curvature = a - 2.0 * slope[first] + b;
    if (curvature < 0.0) position += std::clamp(0.5 * (a - b) / curvature, -0.5, 0.5);
  }
  result.smoothed = xs.front() + (position + 0.5) * h;
  // Half a window in strain; a small relative slack so an estimate exactly there counts.
  const double edge = 0.5 * static_cast<double>(smoothing_window) * h * (1.0 - 1e-12);
  result.censored = result.smoothed - xs.front() < edge || xs.back() - result.smoothed < edge;
  return result;
}

PercolationAnalysis analyse_percolation(std::span<const double> strain_true,
                                        std::span<const double> cfv,
                                        std::span<const std::uint8_t> spans,
                                        double min_percolation_nm3, int smoothing_window,
                                        std::size_t resample_points) {
  if (!(std::isfinite(min_percolation_nm3) && min_percolation_nm3 >= 0.0))
    throw ConfigError("cfv.min_percolation_nm3", to_display(min_percolation_nm3),
                      "a volume >= 0 nm^3");
  STZ_REQUIRE(spans.size() == cfv.size(), "spanning series has ", spans.size(),
              " points, CFV series ", cfv.size());
  PercolationAnalysis out;
  out.threshold = percolation_threshold_strain(strain_true, cfv, smoothing_window, resample_points);
  out.percolation_strain = kNaN;
  for (std::size_t i = 0; i < cfv.size(); ++i)
    if (spans[i] != 0 && cfv[i] >= min_percolation_nm3) {
      out.percolated = true;
      out.percolation_strain = strain_true[i];
      break;
    }
  if (!out.percolated) {
    out.threshold.smoothed = kNaN;
    out.threshold.raw = kNaN;
    out.threshold.censored = false;
  }
  return out;
}

}  // namespace stz
