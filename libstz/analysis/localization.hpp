// Localization measures of a non-negative per-voxel field (e.g. the von Mises plastic strain),
// used to test that plastic strain concentrates in a band crossing the box (SPEC 4.9).
//
// Band measure: a band is a set of consecutive parallel lattice lines (2D) or planes (3D) of
// the periodic grid. A line or plane family is given by a primitive integer normal n = (h, k, l)
// in voxel units (2D: l = 0); voxel (x, y, z) lies on class c = (h x + k y + l z) mod G with
// G = gcd(h nx, k ny, l nz), so every family closes on the torus and all G classes hold N/G
// voxels. Neighbouring classes are 1/|n| voxels apart. A band of width w takes
// T = max(1, round(w |n| / a)) consecutive classes (cyclically): area fraction T/G,
// perpendicular width T a/|n|.
// Candidate normals: every primitive n with max |component| <= max_index, up to sign (2D,
// max_index 2: slopes 0, ∞, ±1, ±2, ±1/2). Families with T >= G (band as wide as the period)
// are skipped. The band reported is the one with the largest CONCENTRATION = share of the field
// total / area fraction (= mean field in the band / mean field in the box); comparing raw shares
// would favour oblique families, whose bands of equal width cover more of the box. Ties go to
// the first candidate (by |n|², then lexicographic) and the smallest offset.
// Orientation: the angle between the band (line or plane) and the tensile axis, in [0°, 90°]:
// asin(|n_axis| / |n|); 0° = band parallel to the axis, 90° = perpendicular to it.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "libstz/grid/grid.hpp"
#include "libstz/grid/voxel_field.hpp"

namespace stz {

/// Share of the total held by the ceil(fraction·n) largest values (fraction in (0, 1]; f·n
/// within 1e-9 of an integer counts as that integer). NaN when the total is not positive.
/// Meaningful for non-negative values. Throws ConfigError ("analysis.top_fraction").
double top_fraction_share(std::span<const double> values, double fraction);

/// The most concentrated band of a field; see the file comment.
struct BandMeasure {
  double share = 0.0;           ///< fraction of the field total inside the band
  double area_fraction = 0.0;   ///< fraction of voxels inside the band (T/G)
  double concentration = 0.0;   ///< share / area_fraction
  double angle_deg = 0.0;       ///< angle between band and tensile axis, degrees in [0, 90]
  double width_nm = 0.0;        ///< perpendicular width T·a/|n|, nm
  std::array<int, 3> normal{};  ///< integer normal, voxel units, first nonzero entry > 0
  long period = 0;              ///< number of classes G of the family
  long offset = 0;              ///< first class of the band, in [0, G)
  long thickness = 0;           ///< number of classes T in the band
  bool found = false;           ///< false: zero total or no admissible family (NaN numbers)
};

/// Most concentrated band of `field` (grid.size() non-negative values) of width width_nm.
/// tensile_axis in [0, dimension) or −1 for grid.default_axis(); max_index in [1, 8].
/// Throws ConfigError ("analysis.band_width_nm", "analysis.band_max_index",
/// "analysis.tensile_axis"). Parallel over candidate families; thread-count independent.
BandMeasure band_localization(const Grid& grid, std::span<const double> field, double width_nm,
                              int max_index = 2, int tensile_axis = -1);
/// Same, for a one-component ScalarField.
BandMeasure band_localization(const Grid& grid, const ScalarField& field, double width_nm,
                              int max_index = 2, int tensile_axis = -1);

/// Per voxel: 1 inside the band, 0 outside (all 0 when !band.found).
std::vector<std::uint8_t> band_mask(const Grid& grid, const BandMeasure& band);

}  // namespace stz
