// STZ clusters (SPEC 3.1): the voxels of a sphere/disc or cube around a site, their overlap
// neighbourhood C − C, the spread of an eigenstrain and the cluster average.
#include <gtest/gtest.h>

#include "libstz/core/error.hpp"
#include "libstz/grid/stz_cluster.hpp"

namespace stz {
namespace {

TEST(StzCluster, SphereAndDiscCountLatticePointsWithinTheRadius) {
  const Grid plane = Grid::plane(32, 32, 0.5), box = Grid::box(16, 16, 16, 0.5);
  EXPECT_EQ(StzCluster::sphere(plane, 0.4).size(), 1u);   // below one voxel edge: the site only
  EXPECT_EQ(StzCluster::sphere(plane, 0.5).size(), 5u);   // |d| <= 1 voxel (edge on the circle)
  EXPECT_EQ(StzCluster::sphere(plane, 0.75).size(), 9u);  // |d| <= 1.5: the 3×3 square
  EXPECT_EQ(StzCluster::sphere(plane, 1.0).size(), 13u);  // |d| <= 2
  EXPECT_EQ(StzCluster::sphere(box, 0.5).size(), 7u);
  EXPECT_EQ(StzCluster::sphere(box, 0.75).size(), 27u - 8u);  // |d|² <= 2.25: not the corners
  const StzCluster disc = StzCluster::sphere(plane, 1.0);
  for (const auto& u : disc.offsets()) EXPECT_EQ(u[2], 0);  // in the plane
  EXPECT_EQ(disc.reach(), 2);
}

TEST(StzCluster, CubeOfEvenEdgeSitsJustBelowItsCentre) {
  const StzCluster square = StzCluster::cube(Grid::plane(16, 16), 2);
  ASSERT_EQ(square.size(), 4u);
  EXPECT_EQ(square.offsets().front(), (StzCluster::Offset{0, 0, 0}));
  EXPECT_EQ(square.offsets().back(), (StzCluster::Offset{1, 1, 0}));
  EXPECT_EQ(square.overlap_offsets().size(), 9u);  // d ∈ {−1, 0, 1}²
  const StzCluster cube = StzCluster::cube(Grid::box(16, 16, 16), 3);
  EXPECT_EQ(cube.size(), 27u);
  EXPECT_EQ(cube.offsets().front(), (StzCluster::Offset{-1, -1, -1}));
  EXPECT_EQ(cube.overlap_offsets().size(), 125u);
  EXPECT_TRUE(StzCluster().single_voxel());
  EXPECT_EQ(StzCluster().overlap_offsets().size(), 1u);
}

TEST(StzCluster, TooLargeForTheBoxOrBadSizesAreConfigErrors) {
  // Reach 2 needs extents of at least 4·2 + 1 = 9 (the overlap set must not wrap).
  EXPECT_THROW(StzCluster::sphere(Grid::plane(8, 32), 2.0), ConfigError);
  EXPECT_NO_THROW(StzCluster::sphere(Grid::plane(9, 32), 2.0));
  EXPECT_THROW(StzCluster::sphere(Grid::plane(32, 32), -1.0), ConfigError);
  EXPECT_THROW(StzCluster::cube(Grid::plane(32, 32), 0), ConfigError);
  try {
    StzCluster::cube(Grid::box(4, 4, 4), 3);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("stz.cluster.edge_voxels"), std::string::npos);
  }
}

TEST(StzCluster, SpreadAndAverageWrapPeriodically) {
  const Grid g = Grid::plane(8, 6);
  const StzCluster c = StzCluster::cube(g, 2);
  TensorField f(g);
  SymTensor e{};
  e[kXY] = 1.0;
  c.spread_add(f, g, g.index(7, 5, 0), e);  // corner: wraps onto x = 0 and y = 0
  EXPECT_EQ(f(kXY, g.index(7, 5, 0)), 1.0);
  EXPECT_EQ(f(kXY, g.index(0, 5, 0)), 1.0);
  EXPECT_EQ(f(kXY, g.index(7, 0, 0)), 1.0);
  EXPECT_EQ(f(kXY, g.index(0, 0, 0)), 1.0);
  EXPECT_DOUBLE_EQ(f.mean()[kXY] * static_cast<double>(g.size()), 4.0);
  // The cluster average at a site is the share of its voxels the spread cluster covers.
  TensorField avg;
  c.average(f, g, avg);
  EXPECT_DOUBLE_EQ(avg(kXY, g.index(7, 5, 0)), 1.0);
  EXPECT_DOUBLE_EQ(avg(kXY, g.index(6, 5, 0)), 0.5);  // shares two of its four voxels
  EXPECT_DOUBLE_EQ(avg(kXY, g.index(6, 4, 0)), 0.25);
  EXPECT_DOUBLE_EQ(avg(kXY, g.index(3, 3, 0)), 0.0);
  // The average preserves the mean, and the interleaved variant agrees.
  EXPECT_DOUBLE_EQ(avg.mean()[kXY], f.mean()[kXY]);
  std::vector<double> in(g.size() * 2), out;
  for (std::size_t i = 0; i < g.size(); ++i) in[i * 2 + 1] = f(kXY, i);
  c.average(in, 2, g, out);
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_EQ(out[i * 2 + 1], avg(kXY, i));
}

}  // namespace
}  // namespace stz
