// StructureMap basics: the all-matrix map, fractions, type counts, invariant checks.
#include <cmath>

#include <gtest/gtest.h>

#include "libstz/core/error.hpp"
#include "libstz/core/units.hpp"
#include "libstz/structure/structure_map.hpp"

namespace stz {
namespace {

TEST(StructureMap, MatrixStructureIsAllMatrix) {
  const Grid grid = Grid::box(4, 5, 6);
  const StructureMap map = make_matrix_structure(grid);
  EXPECT_EQ(map.domain_id.size(), grid.size());
  EXPECT_EQ(map.mro_voxel_count(), 0u);
  EXPECT_EQ(map.mro_fraction(), 0.0);
  EXPECT_TRUE(map.domains.empty());
  EXPECT_EQ(map.type_voxel_counts(), std::vector<std::size_t>{grid.size()});
  EXPECT_NO_THROW(map.check_invariants(grid));
}

TEST(StructureMap, FractionAndTypeCounts) {
  const Grid grid = Grid::plane(4, 4);
  StructureMap map = make_matrix_structure(grid);
  MroDomain domain;
  domain.type = 3;
  domain.voxel_count = 2;
  map.domains.push_back(domain);
  for (std::size_t i : {std::size_t{1}, std::size_t{6}}) {
    map.domain_id[i] = 0;
    map.type[i] = 3;
  }
  EXPECT_EQ(map.mro_voxel_count(), 2u);
  EXPECT_DOUBLE_EQ(map.mro_fraction(), 2.0 / 16.0);
  EXPECT_EQ(map.type_voxel_counts(), (std::vector<std::size_t>{14, 0, 0, 2}));
  EXPECT_NO_THROW(map.check_invariants(grid));

  StructureMap wrong_type = map;
  wrong_type.type[6] = 2;
  EXPECT_THROW(wrong_type.check_invariants(grid), InternalError);
  StructureMap wrong_count = map;
  wrong_count.domains[0].voxel_count = 3;
  EXPECT_THROW(wrong_count.check_invariants(grid), InternalError);
  StructureMap typed_matrix = map;
  typed_matrix.type[0] = 1;
  EXPECT_THROW(typed_matrix.check_invariants(grid), InternalError);
}

TEST(StructureMap, RotationAboutZ) {
  const Eigen::Matrix3d r = rotation_about_z(units::pi / 2.0);
  const Eigen::Vector3d x = r * Eigen::Vector3d::UnitX();
  // Rounding of cos(π/2) only: a few ulps.
  EXPECT_NEAR(x.x(), 0.0, 1e-15);
  EXPECT_NEAR(x.y(), 1.0, 1e-15);
  EXPECT_EQ((r * Eigen::Vector3d::UnitZ()).z(), 1.0);
}

}  // namespace
}  // namespace stz
