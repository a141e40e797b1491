#include <gtest/gtest.h>

#include "libstz/core/error.hpp"
#include "libstz/grid/grid.hpp"
#include "libstz/grid/voxel_field.hpp"

namespace stz {
namespace {

TEST(Grid, IndexAndCoordsAreInverse) {
  const Grid g = Grid::box(5, 4, 3);
  EXPECT_EQ(g.size(), 60u);
  for (std::size_t i = 0; i < g.size(); ++i) {
    const auto c = g.coords(i);
    EXPECT_EQ(g.index(c[0], c[1], c[2]), i);
  }
  EXPECT_EQ(g.index(0, 0, 1), 1u);  // z fastest
  EXPECT_EQ(g.index(0, 1, 0), 3u);
  EXPECT_EQ(g.index(1, 0, 0), 12u);
}

TEST(Grid, WrappedIndexIsPeriodic) {
  const Grid g = Grid::plane(6, 4);
  EXPECT_EQ(g.wrapped_index(-1, 0, 0), g.index(5, 0, 0));
  EXPECT_EQ(g.wrapped_index(6, -5, 7), g.index(0, 3, 0));
  EXPECT_EQ(g.minimum_image(5, 0), -1);
  EXPECT_EQ(g.minimum_image(3, 0), 3);
  EXPECT_EQ(g.minimum_image(-3, 0), 3);
  EXPECT_EQ(g.default_axis(), 1);
  EXPECT_EQ(Grid::box(4, 4, 4).default_axis(), 2);
}

TEST(Grid, BadShapesAreConfigErrors) {
  EXPECT_THROW(Grid::plane(1, 8), ConfigError);
  EXPECT_THROW(Grid({4, 4, 2}, 2), ConfigError);
  EXPECT_THROW(Grid::box(4, 4, 4, -1.0), ConfigError);
  try {
    Grid::plane(0, 8);
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "grid.shape");
  }
}

TEST(VoxelField, ComponentMajorLayoutAndMean) {
  const Grid g = Grid::plane(4, 2);
  TensorField t(g);
  for (std::size_t i = 0; i < g.size(); ++i) t.set(i, SymTensor{1.0 * i, 1, 2, 3, 4, 5});
  EXPECT_EQ(&t(1, 0), t.data() + g.size());
  const SymTensor m = t.mean();
  EXPECT_DOUBLE_EQ(m[0], 3.5);
  EXPECT_DOUBLE_EQ(m[5], 5.0);
}

}  // namespace
}  // namespace stz
