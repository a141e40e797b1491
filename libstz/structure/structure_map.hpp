// Medium-range-order (MRO) structure maps (SPEC 3.8): for every voxel, the MRO domain it belongs
// to and its STZ type index, plus per-domain size, centre and orientation.
// Conventions: type index 0 is always `matrix` (the caller maps type names to indices); domain
// id −1 (kMatrixDomain) marks matrix voxels and matrix voxels always have type 0. Per-voxel
// vectors follow the grid's index order ((x·ny + y)·nz + z). Lengths nm, angles rad.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "libstz/grid/grid.hpp"

namespace stz {

/// Domain id of voxels that belong to no MRO domain.
inline constexpr std::int32_t kMatrixDomain = -1;
/// Type index of the glassy matrix.
inline constexpr int kMatrixType = 0;
/// Largest type index a structure map can hold (types are stored as int16).
inline constexpr int kMaxTypeIndex = 32767;

/// One MRO domain: a set of voxels sharing one STZ type and one catalog orientation.
struct MroDomain {
  /// STZ type index, >= 1.
  int type = 1;
  /// Synthetic maps: the drawn (nominal) diameter; imported maps: the diameter of the disc (2D)
  /// or sphere (3D) with the domain's area or volume. nm.
  double diameter_nm = 0.0;
  /// Synthetic maps: the placed centre; imported maps: the periodic centroid. Each coordinate
  /// in [0, extent·a) nm; 2D maps have z = a/2 (the mid-plane of the one-voxel-thick slab).
  std::array<double, 3> centre_nm{};
  /// Number of voxels the domain owns (after overlaps and trimming), >= 1.
  std::size_t voxel_count = 0;
  /// 2D: catalog orientation θ0 in [0, π), uniform. 3D: 0 (unused).
  double angle_rad = 0.0;
  /// 3D: uniform on SO(3). 2D: the rotation by angle_rad about z.
  Eigen::Matrix3d rotation = Eigen::Matrix3d::Identity();

  bool operator==(const MroDomain& other) const = default;
};

/// Per-voxel domain membership and type of a whole grid.
struct StructureMap {
  /// Domain of each voxel: an index into `domains`, or kMatrixDomain.
  std::vector<std::int32_t> domain_id;
  /// STZ type index of each voxel (0 = matrix).
  std::vector<std::int16_t> type;
  /// The MRO domains, indexed by domain id.
  std::vector<MroDomain> domains;
  /// Voxels of one domain may have different MRO types (mro.mixing: per_voxel); the domain's
  /// `type` is then the one drawn for the domain, not necessarily that of its voxels.
  bool mixed_types = false;

  /// Number of voxels that belong to an MRO domain.
  std::size_t mro_voxel_count() const;
  /// Fraction of voxels that belong to an MRO domain (0 for an empty map).
  double mro_fraction() const;
  /// Voxels per type index: entry t counts the voxels of type t (size = largest type + 1).
  std::vector<std::size_t> type_voxel_counts() const;
  /// Checks sizes and that types, domain ids and voxel counts agree; throws InternalError.
  void check_invariants(const Grid& grid) const;

  bool operator==(const StructureMap& other) const = default;
};

/// A map in which every voxel is matrix.
StructureMap make_matrix_structure(const Grid& grid);

/// Rotation matrix of a 2D catalog orientation: the rotation by angle_rad about z.
Eigen::Matrix3d rotation_about_z(double angle_rad);

}  // namespace stz
