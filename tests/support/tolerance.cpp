#include "tests/support/tolerance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace stz::testing {

double relative_difference(double a, double b, double scale) {
  return std::abs(a - b) / std::max(std::abs(scale), std::numeric_limits<double>::min());
}

double relative_max_difference(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
  double diff = 0.0, ref = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::abs(a[i] - b[i]));
    ref = std::max(ref, std::abs(b[i]));
  }
  if (diff == 0.0) return 0.0;
  return ref == 0.0 ? std::numeric_limits<double>::infinity() : diff / ref;
}

double relative_max_difference(const VoxelField<double>& a, const VoxelField<double>& b) {
  if (a.components() != b.components()) return std::numeric_limits<double>::infinity();
  return relative_max_difference(
      std::span<const double>(a.data(), a.voxels() * static_cast<std::size_t>(a.components())),
      std::span<const double>(b.data(), b.voxels() * static_cast<std::size_t>(b.components())));
}

::testing::AssertionResult RelativelyNear(double a, double b, double tol) {
  const double scale = b == 0.0 ? 1.0 : std::abs(b);
  const double rel = std::abs(a - b) / scale;
  if (rel <= tol) return ::testing::AssertionSuccess();
  std::ostringstream msg;
  msg.precision(12);
  msg << a << " vs " << b << ": relative difference " << rel << " > tolerance " << tol;
  return ::testing::AssertionFailure() << msg.str();
}

}  // namespace stz::testing
