// Connected free volume (CFV, SPEC 3.9): clusters of voxels whose permanent free volume ξp is at
// or above a threshold, face-connected (4 neighbours in 2D, 6 in 3D) through the periodic
// boundaries, found with a union–find that tracks each voxel's displacement to its root.
//
// Conventions:
// - The free-volume field is a dimensionless per-voxel value ξ (a volume fraction of the voxel);
//   a cluster's summed free volume is Σ ξ × voxel volume, in nm³. NaN is never >= threshold.
// - Labels are deterministic: a cluster's label is the smallest voxel index it contains;
//   voxels below the threshold have label −1. Clusters are listed in increasing label order.
// - The largest cluster is the one with the most voxels; ties go to the smallest label.
// - A cluster SPANS the box along an axis when it connects to its own periodic image displaced
//   along that axis, i.e. it contains a closed path whose net winding around the torus has a
//   nonzero component along the axis. A cluster that merely touches both faces through the
//   periodic seam does not span. A diagonal band that closes after winding once in x and once
//   in y spans both x and y. In 2D the z flag is always false.
// - A cluster CROSSES the box along an axis when it occupies every layer of voxels
//   perpendicular to that axis. For a connected cluster on the torus this means its unwrapped
//   extent along the axis is at least the box's: it runs from a face to the periodic image of
//   that face, as a shear band through a sample does. Spanning implies crossing; a 45° band in
//   a 2:1 box crosses it along y long before it closes on itself (spans).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "libstz/grid/grid.hpp"

namespace stz {

/// One face-connected cluster of above-threshold voxels.
struct CfvCluster {
  std::int64_t label = -1;        ///< smallest voxel index in the cluster (−1: no cluster)
  std::size_t voxels = 0;         ///< number of voxels
  double volume_nm3 = 0.0;        ///< voxels × voxel volume, nm³
  double free_volume_nm3 = 0.0;   ///< Σ ξ × voxel volume over the cluster, nm³
  std::array<bool, 3> spans{};    ///< connects to its own periodic image along x, y, z
  std::array<bool, 3> crosses{};  ///< occupies every voxel layer perpendicular to x, y, z
  /// True when the cluster spans the box along at least one axis.
  bool spans_any() const { return spans[0] || spans[1] || spans[2]; }
  /// True when the cluster crosses the box along at least one axis.
  bool crosses_any() const { return crosses[0] || crosses[1] || crosses[2]; }
};

/// All CFV clusters of one free-volume field.
struct CfvClusters {
  std::vector<std::int64_t> labels;        ///< per voxel: its cluster's label, −1 below threshold
  std::vector<CfvCluster> clusters;        ///< every cluster, in increasing label order
  CfvCluster largest;                      ///< the largest cluster (label −1, zeros if none)
  std::vector<std::uint8_t> largest_mask;  ///< per voxel: 1 in the largest cluster, else 0
  std::size_t member_voxels = 0;           ///< voxels at or above the threshold
  /// Number of clusters.
  std::size_t cluster_count() const { return clusters.size(); }
};

/// Clusters of voxels with free_volume[i] >= threshold (free_volume has grid.size() entries,
/// dimensionless ξ per voxel). Serial and deterministic. Throws ConfigError ("cfv.threshold")
/// when the threshold is not finite.
CfvClusters connected_free_volume(const Grid& grid, std::span<const double> free_volume,
                                  double threshold);

}  // namespace stz
