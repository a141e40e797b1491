// Synthetic MRO maps (SPEC 3.8): discs (2D) or spheres (3D) placed at uniformly random centres
// in the periodic box, diameters from a Gaussian truncated at one voxel edge, until the MRO
// voxel fraction reaches its target exactly (to the voxel).
//
// Placement, per domain, in this order from one stream Rng(seed, RngPurpose::mro_map):
//   diameter d ~ N(mean, sd), redrawn while d < a (a = voxel edge);
//   centre uniform in the box;
//   type from the composition weights (always one uniform draw);
//   orientation (2D: θ0 uniform in [0, π), one draw; 3D: uniform on SO(3), three draws).
// Because the type always takes exactly one draw, the geometry (domain ids, centres, diameters)
// depends only on (seed, grid, fraction, diameter parameters), not on the composition.
// Voxelisation: the voxels whose centres lie within d/2 of the centre (periodic minimum image),
// plus the voxel that contains the centre, so every domain has at least one voxel.
// Overlaps: a voxel already in a domain stays in it; a new domain takes only free voxels, and
// one that finds none is dropped (its draws are still consumed). The domain that would overshoot
// the target keeps only its free voxels nearest its centre (ties by voxel index), so the MRO
// voxel count equals round(fraction · N) exactly. All of it is serial: thread-count independent.
// Mixing (`mro.mixing`): per_domain gives every voxel its domain's type; per_voxel then redraws
// the type of every MRO voxel, in voxel-index order, by the composition weights from the
// separate stream Rng(seed, RngPurpose::mro_map, 1), so the geometry and the domain types
// (still drawn, and kept as MroDomain::type) are those of the per_domain map.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "libstz/grid/grid.hpp"
#include "libstz/structure/structure_map.hpp"

namespace stz {

/// One entry of the MRO composition: an STZ type index and its relative weight.
struct MroComponent {
  /// STZ type index, in [1, kMaxTypeIndex] (0 is matrix and cannot be an MRO type).
  int type = 1;
  /// Relative weight (probability ∝ weight per domain), finite and >= 0.
  double weight = 1.0;
};

/// How MRO voxels get their type (SPEC 3.8).
enum class MroMixing {
  per_domain,  ///< every voxel of a domain has the domain's type
  per_voxel,   ///< every voxel of a domain draws its type by the composition weights
};
MroMixing parse_mro_mixing(const std::string& text, const std::string& key);
const char* to_string(MroMixing mixing);

/// Parameters of a synthetic MRO map (config section `mro`).
struct SyntheticMroParams {
  /// Target fraction of voxels in MRO domains, in [0, 1) (`mro.fraction`).
  double fraction = 0.20;
  /// MRO types and weights; distinct types, weights sum > 0 (`mro.composition`). The default,
  /// type 1 only, is a placeholder: the caller fills it from its type table.
  std::vector<MroComponent> composition{{1, 1.0}};
  /// Mean of the Gaussian domain diameter, nm, > 0 (`mro.diameter_nm.mean`).
  double diameter_mean_nm = 1.25;
  /// Standard deviation of the Gaussian domain diameter, nm, >= 0 (`mro.diameter_nm.sd`).
  double diameter_sd_nm = 0.3;
  /// Per-domain or per-voxel types (`mro.mixing`).
  MroMixing mixing = MroMixing::per_domain;

  /// Throws ConfigError (keys mro.fraction, mro.composition, mro.diameter_nm.mean,
  /// mro.diameter_nm.sd) for values outside their ranges. With fraction > 0 it also requires a
  /// non-empty composition, a mean diameter no larger than the smallest box extent, and
  /// mean + 3·sd >= one voxel edge (diameters below one voxel are redrawn).
  void validate(const Grid& grid) const;
};

/// Builds a synthetic MRO map (see the file comment). fraction = 0 gives an all-matrix map.
/// Throws ConfigError for invalid parameters.
StructureMap make_synthetic_mro_map(const Grid& grid, const SyntheticMroParams& params,
                                    std::uint64_t seed);

/// The voxels of a disc (2D, in the plane) or sphere (3D) of diameter diameter_nm centred at
/// centre_nm: voxel centres within diameter/2 (periodic minimum image) plus the voxel holding
/// the centre. Sorted by voxel index, no duplicates; a ball wider than the box wraps onto
/// itself without double counting. The centre may lie anywhere (it is wrapped into the box);
/// a negative or non-finite diameter or centre is an InternalError.
std::vector<std::size_t> ball_voxels(const Grid& grid, const std::array<double, 3>& centre_nm,
                                     double diameter_nm);

}  // namespace stz
