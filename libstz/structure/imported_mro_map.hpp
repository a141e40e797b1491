// MRO maps imported from an integer label map (SPEC 3.8), e.g. a 4D-STEM domain segmentation,
// plus a table label → STZ type index.
// Resampling: nearest neighbour at voxel centres. pixel_nm = 0 stretches the label map over the
// whole box (each axis independently, so the aspect ratio follows the grid); pixel_nm > 0 gives
// the label pixel edge in nm and tiles the map periodically (cropped if larger than the box).
// Domains: labels mapped to type 0 are matrix; every face-connected region (4 neighbours in 2D,
// 6 in 3D, periodic) of equal non-matrix label is one domain, numbered in order of its lowest
// voxel index, with one orientation drawn from Rng(seed, RngPurpose::mro_map) in domain order
// (2D: θ0 uniform in [0, π); 3D: uniform on SO(3)). Serial: thread-count independent.
// Error keys: "mro.map" (the label map), "mro.labels" (the table), "mro.map_pixel_nm".
#pragma once

#include <cstdint>
#include <map>

#include "libstz/grid/grid.hpp"
#include "libstz/structure/label_image.hpp"
#include "libstz/structure/structure_map.hpp"

namespace stz {

/// Builds a structure map from a label map (see the file comment). Every label that occurs in
/// the map must be in label_to_type, with a type index in [0, kMaxTypeIndex]. Throws
/// ConfigError for a dimension mismatch, an inconsistent label map, unknown labels (listing the
/// first few and the table's labels), bad type indices or a negative pixel size.
StructureMap structure_from_labels(const Grid& grid, const LabelImage& labels,
                                   const std::map<std::int64_t, int>& label_to_type,
                                   double pixel_nm, std::uint64_t seed);

}  // namespace stz
