// Threshold strain for CFV percolation (SPEC 3.9): the true strain at which the growth rate
// d(largest CFV)/dε_true of the largest connected-free-volume cluster is largest.
//
// Procedure (docs/analysis.md has the reasons):
// 1. Points with equal strain are merged, keeping the LAST value (the state after everything
//    that happened at that strain). Strain must be non-decreasing and every value finite.
// 2. Raw estimate: the largest forward finite-difference slope between consecutive distinct
//    points; its midpoint strain (ties: the smallest strain).
// 3. Smoothed estimate: linear interpolation onto `resample_points` uniformly spaced strains
//    spanning the data (0 = auto: spacing ≈ the median raw spacing, clamped to
//    [3, 10·(points − 1) + 1]); centred moving average of `smoothing_window` points (odd; the
//    window keeps its full width at the ends, the series held at its end values beyond them,
//    so a jump at an end is spread exactly like one inside); forward differences. The
//    estimate is the midpoint of the steepest interval, refined by a parabola through the
//    three slopes around a strict maximum, or the centre of a run of equal maximal slopes
//    (relative tolerance 1e-9), as a smoothed step produces. An estimate within half a window
//    of either end of the series is flagged `censored`: the data cannot show whether the
//    growth peaked there or would have kept rising.
// 4. No onset → NaN: with fewer than 3 distinct strains all fields are NaN; when the largest
//    slope is not positive (flat or falling curve) the corresponding strain is NaN.
// 5. Percolation (analyse_percolation): a run whose largest cluster never percolates (the
//    caller's flag per point: crosses or wraps the box, cfv.percolation), or never with at least
//    `min_percolation_nm3`, has no threshold strain (NaN).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace stz {

/// Result of percolation_threshold_strain. Strains are true strains; the slope is in units of
/// the CFV series (e.g. nm³) per unit true strain.
struct ThresholdStrain {
  double smoothed;   ///< threshold strain from the resampled, smoothed series (NaN: none)
  double raw;        ///< midpoint strain of the steepest raw interval (NaN: none)
  double max_slope;  ///< largest slope of the smoothed series (NaN: fewer than 3 points)
  /// The smoothed estimate lies within half a smoothing window of the first or last strain.
  bool censored = false;
};

/// Threshold strain of a largest-CFV series cfv(strain_true). Both spans have equal length.
/// Throws ConfigError ("cfv.smoothing_window": odd and >= 1; "cfv.resample_points": 0 or 3..1e7)
/// and InternalError on inconsistent data (length mismatch, non-finite value, decreasing
/// strain).
ThresholdStrain percolation_threshold_strain(std::span<const double> strain_true,
                                             std::span<const double> cfv, int smoothing_window = 5,
                                             std::size_t resample_points = 0);

/// Threshold strain of a run, gated on percolation of its largest CFV cluster.
struct PercolationAnalysis {
  /// The threshold strain; smoothed and raw are NaN (and censored false) when !percolated.
  ThresholdStrain threshold;
  /// The largest cluster percolated (spans[i] set), with at least min_percolation_nm3, at some
  /// point.
  bool percolated = false;
  /// The first true strain at which it did (NaN when !percolated).
  double percolation_strain = 0.0;
};

/// Threshold strain of a series cfv(strain_true) with the spanning flag of the largest cluster
/// percolation flag of the largest cluster at every point (1: it crosses, or wraps, the box —
/// the caller's criterion). Percolated = some point flagged with cfv >= min_percolation_nm3.
/// Throws what percolation_threshold_strain throws, and ConfigError ("cfv.min_percolation_nm3")
/// for a negative or non-finite minimum.
PercolationAnalysis analyse_percolation(std::span<const double> strain_true,
                                        std::span<const double> cfv,
                                        std::span<const std::uint8_t> spans,
                                        double min_percolation_nm3, int smoothing_window = 5,
                                        std::size_t resample_points = 0);

}  // namespace stz
