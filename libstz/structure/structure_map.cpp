#include "libstz/structure/structure_map.hpp"

#include <cmath>

#include "libstz/core/error.hpp"

namespace stz {

std::size_t StructureMap::mro_voxel_count() const {
  std::size_t count = 0;
  for (std::int32_t id : domain_id) count += id != kMatrixDomain ? 1 : 0;
  return count;
}

double StructureMap::mro_fraction() const {
  if (domain_id.empty()) return 0.0;
  return static_cast<double>(mro_voxel_count()) / static_cast<double>(domain_id.size());
}

std::vector<std::size_t> StructureMap::type_voxel_counts() const {
  std::vector<std::size_t> counts(1, 0);
  for (std::int16_t t : type) {
    const auto index = static_cast<std::size_t>(t < 0 ? 0 : t);
    if (index >= counts.size()) counts.resize(index + 1, 0);
    ++counts[index];
  }
  return counts;
}

void StructureMap::check_invariants(const Grid& grid) const {
  STZ_REQUIRE(domain_id.size() == grid.size(), "domain_id has ", domain_id.size(), " entries for ",
              grid.size(), " voxels");
  STZ_REQUIRE(type.size() == grid.size(), "type has ", type.size(), " entries for ", grid.size(),
              " voxels");
  std::vector<std::size_t> counts(domains.size(), 0);
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const std::int32_t id = domain_id[i];
    if (id == kMatrixDomain) {
      STZ_REQUIRE(type[i] == kMatrixType, "matrix voxel ", i, " has type ", type[i]);
      continue;
    }
    STZ_REQUIRE(id >= 0 && static_cast<std::size_t>(id) < domains.size(), "voxel ", i,
                " has domain id ", id, " of ", domains.size(), " domains");
    STZ_REQUIRE(type[i] > kMatrixType, "MRO voxel ", i, " has type ", type[i]);
    STZ_REQUIRE(mixed_types || type[i] == domains[static_cast<std::size_t>(id)].type, "voxel ", i,
                " has type ", type[i], " but its domain ", id, " has type ",
                domains[static_cast<std::size_t>(id)].type);
    ++counts[static_cast<std::size_t>(id)];
  }
  for (std::size_t d = 0; d < domains.size(); ++d) {
    STZ_REQUIRE(domains[d].type > kMatrixType && domains[d].type <= kMaxTypeIndex, "domain ", d,
                " has type ", domains[d].type);
    STZ_REQUIRE(counts[d] == domains[d].voxel_count && counts[d] > 0, "domain ", d, " owns ",
                counts[d], " voxels but records ", domains[d].voxel_count);
  }
}

StructureMap make_matrix_structure(const Grid& grid) {
  StructureMap map;
  map.domain_id.assign(grid.size(), kMatrixDomain);
  map.type.assign(grid.size(), static_cast<std::int16_t>(kMatrixType));
  return map;
}

Eigen::Matrix3d rotation_about_z(double angle_rad) {
  const double c = std::cos(angle_rad), s = std::sin(angle_rad);
  Eigen::Matrix3d r;
  r << c, -s, 0.0, s, c, 0.0, 0.0, 0.0, 1.0;
  return r;
}

}  // namespace stz
