#include "libstz/analysis/localization.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <string>

#include "libstz/core/error.hpp"
#include "libstz/core/units.hpp"

namespace stz {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Normal = std::array<int, 3>;

double norm(const Normal& n) {
  return std::sqrt(static_cast<double>(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]));
}

// Primitive integer normals with max |component| <= max_index, first nonzero entry positive,
// ordered by |n|² and then lexicographically.
std::vector<Normal> candidate_normals(int dimension, int max_index) {
  std::vector<Normal> out;
  const int lz = dimension == 3 ? max_index : 0;
  for (int h = -max_index; h <= max_index; ++h)
    for (int k = -max_index; k <= max_index; ++k)
      for (int l = -lz; l <= lz; ++l) {
        const Normal n{h, k, l};
        const auto first = std::find_if(n.begin(), n.end(), [](int v) { return v != 0; });
        if (first == n.end() || *first < 0) continue;
        if (std::gcd(std::gcd(std::abs(h), std::abs(k)), std::abs(l)) != 1) continue;
        out.push_back(n);
      }
  std::stable_sort(out.begin(), out.end(), [](const Normal& a, const Normal& b) {
    const int na = a[0] * a[0] + a[1] * a[1] + a[2] * a[2];
    const int nb = b[0] * b[0] + b[1] * b[1] + b[2] * b[2];
    return na != nb ? na < nb : a < b;
  });
  return out;
}

// Number of distinct classes (h x + k y + l z) mod G of a family on the periodic grid.
long class_period(const Grid& grid, const Normal& n) {
  long g = 0;
  for (int a = 0; a < 3; ++a)
    g = std::gcd(g, std::labs(static_cast<long>(n[static_cast<std::size_t>(a)]) * grid.extent(a)));
  return g;
}

// Calls f(voxel index, class) for every voxel, in index order.
template <class F>
void for_each_class(const Grid& grid, const Normal& n, long period, F&& f) {
  auto wrap = [period](long v) {
    const long r = v % period;
    return r < 0 ? r + period : r;
  };
  std::size_t i = 0;
  for (int x = 0; x < grid.extent(0); ++x)
    for (int y = 0; y < grid.extent(1); ++y) {
      const long base = static_cast<long>(n[0]) * x + static_cast<long>(n[1]) * y;
      for (int z = 0; z < grid.extent(2); ++z, ++i) f(i, wrap(base + static_cast<long>(n[2]) * z));
    }
}

struct FamilyBest {
  bool admissible = false;
  double window_sum = 0.0;
  long offset = 0, thickness = 0, period = 0;
};

}  // namespace

double top_fraction_share(std::span<const double> values, double fraction) {
  if (!(fraction > 0.0 && fraction <= 1.0))
    throw ConfigError("analysis.top_fraction", to_display(fraction), "a fraction in (0, 1]");
  if (values.empty()) return kNaN;
  const double n = static_cast<double>(values.size());
  const auto count = static_cast<std::size_t>(std::clamp(std::ceil(fraction * n - 1e-9), 1.0, n));
  std::vector<double> sorted(values.begin(), values.end());
  const auto top_end = sorted.begin() + static_cast<std::ptrdiff_t>(count);
  std::nth_element(sorted.begin(), top_end - 1, sorted.end(), std::greater<>());
  std::sort(sorted.begin(), top_end, std::greater<>());
  double top = 0.0, total = 0.0;
  for (auto it = sorted.begin(); it != top_end; ++it) top += *it;
  for (double v : values) total += v;
  return total > 0.0 ? top / total : kNaN;
}

BandMeasure band_localization(const Grid& grid, std::span<const double> field, double width_nm,
                              int max_index, int tensile_axis) {
  if (!(width_nm > 0.0) || !std::isfinite(width_nm))
    throw ConfigError("analysis.band_width_nm", to_display(width_nm), "a width > 0 nm");
  if (max_index < 1 || max_index > 8)
    throw ConfigError("analysis.band_max_index", std::to_string(max_index), "an integer in [1, 8]");
  if (tensile_axis < -1 || tensile_axis >= grid.dimension())
    throw ConfigError(
        "analysis.tensile_axis", std::to_string(tensile_axis),
        "-1 (default: last axis) or an axis in [0, " + std::to_string(grid.dimension() - 1) + "]");
  STZ_REQUIRE(field.size() == grid.size(), "field has ", field.size(), " values, grid ",
              grid.size());
  const int axis = tensile_axis < 0 ? grid.default_axis() : tensile_axis;

  BandMeasure result;
  result.share = result.area_fraction = result.concentration = kNaN;
  result.angle_deg = result.width_nm = kNaN;
  double total = 0.0;
  for (double v : field) total += v;
  if (!(total > 0.0)) return result;

  const std::vector<Normal> normals = candidate_normals(grid.dimension(), max_index);
  std::vector<FamilyBest> best(normals.size());
  const auto families = static_cast<std::ptrdiff_t>(normals.size());
#pragma omp parallel for schedule(dynamic)
  for (std::ptrdiff_t f = 0; f < families; ++f) {
    const Normal& n = normals[static_cast<std::size_t>(f)];
    const long period = class_period(grid, n);
    const long thickness = std::max(1L, std::lround(width_nm / grid.voxel_nm() * norm(n)));
    if (thickness >= period) continue;
    std::vector<double> sums(static_cast<std::size_t>(period), 0.0);
    for_each_class(grid, n, period,
                   [&](std::size_t i, long c) { sums[static_cast<std::size_t>(c)] += field[i]; });
    // Cyclic window sums from prefix sums over two periods.
    std::vector<double> prefix(static_cast<std::size_t>(2 * period) + 1, 0.0);
    for (long c = 0; c < 2 * period; ++c)
      prefix[static_cast<std::size_t>(c + 1)] =
          prefix[static_cast<std::size_t>(c)] + sums[static_cast<std::size_t>(c % period)];
    FamilyBest& b = best[static_cast<std::size_t>(f)];
    b.admissible = true;
    b.thickness = thickness;
    b.period = period;
    b.window_sum = -std::numeric_limits<double>::infinity();
    for (long c = 0; c < period; ++c) {
      const double w =
          prefix[static_cast<std::size_t>(c + thickness)] - prefix[static_cast<std::size_t>(c)];
      if (w > b.window_sum) {
        b.window_sum = w;
        b.offset = c;
      }
    }
  }

  std::size_t chosen = normals.size();
  double chosen_concentration = -std::numeric_limits<double>::infinity();
  for (std::size_t f = 0; f < normals.size(); ++f) {
    if (!best[f].admissible) continue;
    const double c = best[f].window_sum / total * static_cast<double>(best[f].period) /
                     static_cast<double>(best[f].thickness);
    if (c > chosen_concentration) {
      chosen_concentration = c;
      chosen = f;
    }
  }
  if (chosen == normals.size()) return result;

  const Normal& n = normals[chosen];
  const FamilyBest& b = best[chosen];
  result.found = true;
  result.normal = n;
  result.period = b.period;
  result.offset = b.offset;
  result.thickness = b.thickness;
  // The reported share is summed afresh over the band's voxels, in index order.
  double inside = 0.0;
  for_each_class(grid, n, b.period, [&](std::size_t i, long c) {
    if ((c - b.offset + b.period) % b.period < b.thickness) inside += field[i];
  });
  result.share = inside / total;
  result.area_fraction = static_cast<double>(b.thickness) / static_cast<double>(b.period);
  result.concentration = result.share / result.area_fraction;
  const double n_len = norm(n);
  result.width_nm = static_cast<double>(b.thickness) * grid.voxel_nm() / n_len;
  const double along_axis = std::abs(n[static_cast<std::size_t>(axis)]) / n_len;
  result.angle_deg = std::asin(std::min(1.0, along_axis)) * 180.0 / units::pi;
  return result;
}

BandMeasure band_localization(const Grid& grid, const ScalarField& field, double width_nm,
                              int max_index, int tensile_axis) {
  STZ_REQUIRE(field.components() == 1, "band_localization needs a scalar field, got ",
              field.components(), " components");
  return band_localization(grid, field.component(0), width_nm, max_index, tensile_axis);
}

std::vector<std::uint8_t> band_mask(const Grid& grid, const BandMeasure& band) {
  std::vector<std::uint8_t> mask(grid.size(), 0);
  if (!band.found) return mask;
  STZ_REQUIRE(band.period == class_period(grid, band.normal), "band period ", band.period,
              " does not belong to this grid");
  for_each_class(grid, band.normal, band.period, [&](std::size_t i, long c) {
    if ((c - band.offset + band.period) % band.period < band.thickness) mask[i] = 1;
  });
  return mask;
}

}  // namespace stz
