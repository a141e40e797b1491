// Connected free volume: the union–find with winding offsets against a brute-force breadth-first
// flood fill on an open (non-periodic) 3×3 (2D) or 3×3×3 (3D) tiling of the periodic box, plus
// hand-made clusters whose connectivity and spanning are known.
//
// The oracle: copies of the field tile an open box; BFS labels its components. Every periodic
// bond of the base grid appears inside the tiling (the central tile has all its neighbours), so
// merging the base voxels met in each open component until nothing changes gives exactly the
// periodic clusters. A component that holds two copies of one base voxel in tiles that differ
// along an axis proves a loop that winds along that axis (spanning); the converse needs the
// winding loop to fit in the tiling, which holds for windings of ±1 box and loops of modest
// extent, the case on these small boxes.
#include <algorithm>
#include <cstdint>
#include <map>
#include <queue>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "libstz/analysis/cfv_clusters.hpp"
#include "libstz/core/error.hpp"
#include "libstz/core/rng.hpp"
#include "tests/support/tolerance.hpp"

namespace stz {
namespace {

struct OracleClusters {
  std::vector<std::int64_t> labels;                   // smallest base index, −1 outside
  std::map<std::int64_t, std::array<bool, 3>> spans;  // by label
};

OracleClusters flood_fill_oracle(const Grid& grid, const std::vector<std::uint8_t>& member) {
  const int d = grid.dimension();
  const std::array<int, 3> n{grid.extent(0), grid.extent(1), grid.extent(2)};
  const std::array<int, 3> tiles{3, 3, d == 3 ? 3 : 1};
  const std::array<int, 3> big{n[0] * tiles[0], n[1] * tiles[1], n[2] * tiles[2]};
  const std::size_t big_size = static_cast<std::size_t>(big[0]) * big[1] * big[2];
  auto big_index = [&](int x, int y, int z) {
    return (static_cast<std::size_t>(x) * big[1] + y) * big[2] + z;
  };
  auto base_of = [&](int x, int y, int z) { return grid.index(x % n[0], y % n[1], z % n[2]); };

  // BFS components of the open tiling.
  std::vector<int> component(big_size, -1);
  std::vector<std::vector<std::array<int, 3>>> cells;
  for (int x = 0; x < big[0]; ++x)
    for (int y = 0; y < big[1]; ++y)
      for (int z = 0; z < big[2]; ++z) {
        if (!member[base_of(x, y, z)] || component[big_index(x, y, z)] >= 0) continue;
        const int id = static_cast<int>(cells.size());
        cells.emplace_back();
        std::queue<std::array<int, 3>> todo;
        todo.push({x, y, z});
        component[big_index(x, y, z)] = id;
        while (!todo.empty()) {
          const auto c = todo.front();
          todo.pop();
          cells.back().push_back(c);
          for (int a = 0; a < 3; ++a)
            for (int s : {-1, 1}) {
              auto nb = c;
              nb[a] += s;
              if (nb[a] < 0 || nb[a] >= big[a]) continue;
              if (!member[base_of(nb[0], nb[1], nb[2])]) continue;
              if (component[big_index(nb[0], nb[1], nb[2])] >= 0) continue;
              component[big_index(nb[0], nb[1], nb[2])] = id;
              todo.push(nb);
            }
        }
      }

  OracleClusters out;
  out.labels.assign(grid.size(), -1);
  for (std::size_t i = 0; i < grid.size(); ++i)
    if (member[i]) out.labels[i] = static_cast<std::int64_t>(i);
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& comp : cells) {
      std::int64_t low = INT64_MAX;
      for (const auto& c : comp) low = std::min(low, out.labels[base_of(c[0], c[1], c[2])]);
      for (const auto& c : comp) {
        auto& l = out.labels[base_of(c[0], c[1], c[2])];
        if (l != low) l = low, changed = true;
      }
    }
  }
  for (std::size_t i = 0; i < grid.size(); ++i)
    if (member[i]) out.spans[out.labels[i]];  // every cluster gets an entry
  for (const auto& comp : cells) {
    std::map<std::size_t, std::array<int, 3>> first_tile;
    for (const auto& c : comp) {
      const std::size_t b = base_of(c[0], c[1], c[2]);
      const std::array<int, 3> tile{c[0] / n[0], c[1] / n[1], c[2] / n[2]};
      const auto [it, inserted] = first_tile.emplace(b, tile);
      if (inserted) continue;
      for (int a = 0; a < 3; ++a)
        if (it->second[a] != tile[a]) out.spans[out.labels[b]][a] = true;
    }
  }
  return out;
}

std::vector<double> random_field(const Grid& grid, std::uint64_t seed) {
  Rng rng(seed, RngPurpose::test);
  std::vector<double> xi(grid.size());
  for (double& v : xi) v = uniform01(rng);
  return xi;
}

// Compares everything connected_free_volume reports with the oracle; returns the number of
// spanning clusters so callers can check that the sample exercises both outcomes.
int compare_with_oracle(const Grid& grid, const std::vector<double>& xi, double threshold) {
  std::vector<std::uint8_t> member(grid.size());
  for (std::size_t i = 0; i < grid.size(); ++i) member[i] = xi[i] >= threshold;
  const OracleClusters oracle = flood_fill_oracle(grid, member);
  const CfvClusters got = connected_free_volume(grid, xi, threshold);

  EXPECT_EQ(got.labels, oracle.labels);
  EXPECT_EQ(got.cluster_count(), oracle.spans.size());
  std::map<std::int64_t, std::size_t> sizes;
  for (auto l : oracle.labels)
    if (l >= 0) ++sizes[l];
  std::size_t largest = 0;
  std::int64_t largest_label = -1;
  for (const auto& [label, size] : sizes)
    if (size > largest) largest = size, largest_label = label;
  EXPECT_EQ(got.largest.voxels, largest);
  EXPECT_EQ(got.largest.label, largest_label);
  // Crossing oracle: the distinct layers each cluster occupies along each axis.
  std::map<std::int64_t, std::array<std::set<int>, 3>> layers;
  for (std::size_t i = 0; i < grid.size(); ++i)
    if (oracle.labels[i] >= 0)
      for (std::size_t a = 0; a < 3; ++a) layers[oracle.labels[i]][a].insert(grid.coords(i)[a]);
  int spanning = 0;
  for (const auto& c : got.clusters) {
    EXPECT_EQ(c.voxels, sizes[c.label]) << "cluster " << c.label;
    EXPECT_EQ(c.spans, oracle.spans.at(c.label)) << "cluster " << c.label;
    for (int a = 0; a < grid.dimension(); ++a)
      EXPECT_EQ(
          c.crosses[static_cast<std::size_t>(a)],
          static_cast<int>(layers[c.label][static_cast<std::size_t>(a)].size()) == grid.extent(a))
          << "cluster " << c.label << " axis " << a;
    if (c.spans_any()) {
      EXPECT_TRUE(c.crosses_any());  // spanning implies crossing
    }
    if (grid.dimension() == 2) {
      EXPECT_FALSE(c.crosses[2]);
    }
    spanning += c.spans_any();
  }
  for (std::size_t i = 0; i < grid.size(); ++i)
    EXPECT_EQ(got.largest_mask[i] == 1, largest_label >= 0 && oracle.labels[i] == largest_label);
  return spanning;
}

TEST(ConnectedFreeVolume, MatchesFloodFillOracle2D) {
  // Site-percolation threshold of the square lattice: p_c ≈ 0.5927; densities straddle it.
  const Grid grid = Grid::plane(16, 12);
  int spanning = 0, fields = 0;
  for (double density : {0.3, 0.5, 0.55, 0.5927, 0.62, 0.7, 0.9})
    for (std::uint64_t seed = 1; seed <= 8; ++seed, ++fields)
      spanning += compare_with_oracle(grid, random_field(grid, seed), 1.0 - density);
  EXPECT_GT(spanning, fields / 4);
}

TEST(ConnectedFreeVolume, MatchesFloodFillOracle3D) {
  // Simple-cubic site-percolation threshold: p_c ≈ 0.3116.
  const Grid grid = Grid::box(6, 7, 8);
  int spanning = 0, fields = 0;
  for (double density : {0.15, 0.25, 0.3116, 0.35, 0.5, 0.8})
    for (std::uint64_t seed = 101; seed <= 106; ++seed, ++fields)
      spanning += compare_with_oracle(grid, random_field(grid, seed), 1.0 - density);
  EXPECT_GT(spanning, fields / 4);
}

TEST(ConnectedFreeVolume, MatchesOracleOnThinBoxes) {
  // Extent 2 along an axis: a voxel's two neighbours along it are the same voxel.
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    compare_with_oracle(Grid::plane(2, 9), random_field(Grid::plane(2, 9), seed), 0.4);
    compare_with_oracle(Grid::box(3, 2, 5), random_field(Grid::box(3, 2, 5), seed), 0.5);
  }
}

std::vector<double> field_from_cells(const Grid& grid,
                                     std::initializer_list<std::array<int, 3>> on) {
  std::vector<double> xi(grid.size(), 0.0);
  for (const auto& c : on) xi[grid.index(c[0], c[1], c[2])] = 1.0;
  return xi;
}

TEST(ConnectedFreeVolume, ClusterAcrossTheSeamIsOneCluster) {
  const Grid grid = Grid::plane(8, 8);
  // A bar x = 6, 7, 0, 1 at y = 3: it touches both x faces but does not wrap.
  const auto xi = field_from_cells(grid, {{6, 3, 0}, {7, 3, 0}, {0, 3, 0}, {1, 3, 0}});
  const CfvClusters c = connected_free_volume(grid, xi, 0.5);
  ASSERT_EQ(c.cluster_count(), 1u);
  EXPECT_EQ(c.largest.voxels, 4u);
  EXPECT_EQ(c.largest.label, static_cast<std::int64_t>(grid.index(0, 3, 0)));
  EXPECT_FALSE(c.largest.spans_any());
  EXPECT_EQ(c.labels[grid.index(7, 3, 0)], c.labels[grid.index(0, 3, 0)]);
}

TEST(ConnectedFreeVolume, SeamClustersInBothDirectionsDoNotSpan) {
  const Grid grid = Grid::plane(8, 8);
  // Horizontal bar across the x seam and a vertical bar across the y seam, apart.
  const auto xi = field_from_cells(grid, {{6, 3, 0},
                                          {7, 3, 0},
                                          {0, 3, 0},
                                          {1, 3, 0},  //
                                          {4, 6, 0},
                                          {4, 7, 0},
                                          {4, 0, 0},
                                          {4, 1, 0},
                                          {4, 2, 0}});
  const CfvClusters c = connected_free_volume(grid, xi, 0.5);
  ASSERT_EQ(c.cluster_count(), 2u);
  EXPECT_EQ(c.clusters[0].label, 3);   // (0, 3): 0·8 + 3
  EXPECT_EQ(c.clusters[1].label, 32);  // (4, 0): 4·8 + 0
  EXPECT_EQ(c.largest.label, 32);
  EXPECT_EQ(c.largest.voxels, 5u);
  for (const auto& k : c.clusters) EXPECT_FALSE(k.spans_any());
}

TEST(ConnectedFreeVolume, StraightLineSpansItsAxisOnly) {
  const Grid grid = Grid::plane(8, 6);
  std::vector<double> xi(grid.size(), 0.0);
  for (int x = 0; x < 8; ++x) xi[grid.index(x, 2, 0)] = 1.0;
  CfvClusters c = connected_free_volume(grid, xi, 0.5);
  ASSERT_EQ(c.cluster_count(), 1u);
  EXPECT_EQ(c.largest.spans, (std::array<bool, 3>{true, false, false}));

  // One voxel short of closing: no longer spanning.
  xi[grid.index(5, 2, 0)] = 0.0;
  c = connected_free_volume(grid, xi, 0.5);
  ASSERT_EQ(c.cluster_count(), 1u);
  EXPECT_FALSE(c.largest.spans_any());
}

TEST(ConnectedFreeVolume, DiagonalStaircaseWrapsBothAxes) {
  // Steps (x, y) → (x, y+1) → (x+1, y+1) on a 6×6 box: closes after one winding in x and in y.
  const Grid grid = Grid::plane(6, 6);
  std::vector<double> xi(grid.size(), 0.0);
  for (int k = 0; k < 6; ++k) {
    xi[grid.wrapped_index(k, k, 0)] = 1.0;
    xi[grid.wrapped_index(k, k + 1, 0)] = 1.0;
  }
  CfvClusters c = connected_free_volume(grid, xi, 0.5);
  ASSERT_EQ(c.cluster_count(), 1u);
  EXPECT_EQ(c.largest.voxels, 12u);
  EXPECT_EQ(c.largest.spans, (std::array<bool, 3>{true, true, false}));

  // Removing one riser cuts the loop: a single staircase that touches every face, no span.
  xi[grid.wrapped_index(3, 4, 0)] = 0.0;
  c = connected_free_volume(grid, xi, 0.5);
  ASSERT_EQ(c.cluster_count(), 1u);
  EXPECT_FALSE(c.largest.spans_any());
}

TEST(ConnectedFreeVolume, DiagonalBandCrossesA2To1BoxBeforeItCloses) {
  // A 45° staircase from y = 0 to y = 5 on a 12×6 box: it runs face to face along y (crosses)
  // but closes on the torus only after a second pass (x 6..11). Crossing is what a band through
  // a sample does; the wrap needs twice the length.
  const Grid grid = Grid::plane(12, 6);
  std::vector<double> xi(grid.size(), 0.0);
  for (int k = 0; k < 6; ++k) {
    xi[grid.wrapped_index(k, k, 0)] = 1.0;
    xi[grid.wrapped_index(k + 1, k, 0)] = 1.0;
  }
  CfvClusters c = connected_free_volume(grid, xi, 0.5);
  ASSERT_EQ(c.cluster_count(), 1u);
  EXPECT_EQ(c.largest.crosses, (std::array<bool, 3>{false, true, false}));
  EXPECT_FALSE(c.largest.spans_any());
  // The second pass closes it: it now spans x and y and crosses both.
  for (int k = 6; k < 12; ++k) {
    xi[grid.wrapped_index(k, k, 0)] = 1.0;
    xi[grid.wrapped_index(k + 1, k, 0)] = 1.0;
  }
  c = connected_free_volume(grid, xi, 0.5);
  ASSERT_EQ(c.cluster_count(), 1u);
  EXPECT_EQ(c.largest.spans, (std::array<bool, 3>{true, true, false}));
  EXPECT_EQ(c.largest.crosses, (std::array<bool, 3>{true, true, false}));
  // One layer short: a staircase over y = 0..4 crosses nothing.
  std::vector<double> short_band(grid.size(), 0.0);
  for (int k = 0; k < 5; ++k) {
    short_band[grid.index(k, k, 0)] = 1.0;
    short_band[grid.index(k + 1, k, 0)] = 1.0;
  }
  c = connected_free_volume(grid, short_band, 0.5);
  EXPECT_FALSE(c.largest.crosses_any());
}

TEST(ConnectedFreeVolume, SteepStaircaseWithWindingTwoOne) {
  // Two steps in x per step in y on 6×6: closes after winding twice in x and once in y.
  const Grid grid = Grid::plane(6, 6);
  std::vector<double> xi(grid.size(), 0.0);
  for (int y = 0; y < 6; ++y)
    for (int dx = 0; dx <= 2; ++dx) xi[grid.wrapped_index(2 * y + dx, y, 0)] = 1.0;
  const CfvClusters c = connected_free_volume(grid, xi, 0.5);
  ASSERT_EQ(c.cluster_count(), 1u);
  EXPECT_EQ(c.largest.spans, (std::array<bool, 3>{true, true, false}));
}

TEST(ConnectedFreeVolume, ThreeDimensionalColumnsAndPlanes) {
  const Grid grid = Grid::box(4, 5, 6);
  std::vector<double> xi(grid.size(), 0.0);
  for (int z = 0; z < 6; ++z) xi[grid.index(1, 2, z)] = 1.0;  // column along z
  CfvClusters c = connected_free_volume(grid, xi, 0.5);
  ASSERT_EQ(c.cluster_count(), 1u);
  EXPECT_EQ(c.largest.spans, (std::array<bool, 3>{false, false, true}));

  // Add the plane z = 4: it joins the column and wraps x and y as well.
  for (int x = 0; x < 4; ++x)
    for (int y = 0; y < 5; ++y) xi[grid.index(x, y, 4)] = 1.0;
  c = connected_free_volume(grid, xi, 0.5);
  ASSERT_EQ(c.cluster_count(), 1u);
  EXPECT_EQ(c.largest.voxels, 4u * 5u + 5u);
  EXPECT_EQ(c.largest.spans, (std::array<bool, 3>{true, true, true}));
}

TEST(ConnectedFreeVolume, TwoVoxelsOnAnExtentTwoAxisWrap) {
  // On a 2-periodic axis two adjacent voxels are neighbours on both sides: an infinite chain.
  const Grid grid = Grid::plane(2, 5);
  const auto xi = field_from_cells(grid, {{0, 1, 0}, {1, 1, 0}});
  const CfvClusters c = connected_free_volume(grid, xi, 0.5);
  ASSERT_EQ(c.cluster_count(), 1u);
  EXPECT_EQ(c.largest.spans, (std::array<bool, 3>{true, false, false}));
}

TEST(ConnectedFreeVolume, EmptyField) {
  const Grid grid = Grid::box(4, 4, 4);
  const std::vector<double> xi(grid.size(), 0.1);
  const CfvClusters c = connected_free_volume(grid, xi, 0.2);
  EXPECT_EQ(c.cluster_count(), 0u);
  EXPECT_EQ(c.member_voxels, 0u);
  EXPECT_EQ(c.largest.label, -1);
  EXPECT_EQ(c.largest.voxels, 0u);
  EXPECT_EQ(c.largest.volume_nm3, 0.0);
  EXPECT_EQ(c.largest.free_volume_nm3, 0.0);
  EXPECT_FALSE(c.largest.spans_any());
  EXPECT_EQ(std::count(c.largest_mask.begin(), c.largest_mask.end(), 1), 0);
  EXPECT_EQ(std::count(c.labels.begin(), c.labels.end(), -1), 64);
}

TEST(ConnectedFreeVolume, FullFieldVolumesAndSpanning) {
  // voxel 0.5 nm: voxel volume 0.125 nm³. The threshold is inclusive (every ξ equals it or more).
  const Grid plane = Grid::plane(6, 4, 0.5);
  std::vector<double> xi(plane.size());
  for (std::size_t i = 0; i < xi.size(); ++i) xi[i] = 0.05 + 0.01 * static_cast<double>(i % 3);
  CfvClusters c = connected_free_volume(plane, xi, 0.05);
  ASSERT_EQ(c.cluster_count(), 1u);
  EXPECT_EQ(c.largest.label, 0);
  EXPECT_EQ(c.largest.voxels, 24u);
  EXPECT_REL_NEAR(c.largest.volume_nm3, 24 * 0.125, 1e-15);
  // Σ ξ = 8·(0.05 + 0.06 + 0.07) = 1.44 → 1.44·0.125 nm³ (tolerance: summation roundoff).
  EXPECT_REL_NEAR(c.largest.free_volume_nm3, 1.44 * 0.125, 1e-14);
  EXPECT_EQ(c.largest.spans, (std::array<bool, 3>{true, true, false}));

  const Grid box = Grid::box(3, 4, 5);
  c = connected_free_volume(box, std::vector<double>(box.size(), 1.0), 0.5);
  EXPECT_EQ(c.largest.spans, (std::array<bool, 3>{true, true, true}));
  EXPECT_EQ(std::count(c.largest_mask.begin(), c.largest_mask.end(), 1), 60);
}

TEST(ConnectedFreeVolume, LargestTieGoesToSmallestLabel) {
  const Grid grid = Grid::plane(8, 8);
  const auto xi = field_from_cells(grid, {{5, 5, 0}, {5, 6, 0}, {1, 1, 0}, {2, 1, 0}});
  const CfvClusters c = connected_free_volume(grid, xi, 0.5);
  ASSERT_EQ(c.cluster_count(), 2u);
  EXPECT_EQ(c.largest.label, static_cast<std::int64_t>(grid.index(1, 1, 0)));
  EXPECT_EQ(c.largest_mask[grid.index(2, 1, 0)], 1);
  EXPECT_EQ(c.largest_mask[grid.index(5, 5, 0)], 0);
}

TEST(ConnectedFreeVolume, RejectsNonFiniteThreshold) {
  const Grid grid = Grid::plane(4, 4);
  const std::vector<double> xi(grid.size(), 0.0);
  EXPECT_THROW(connected_free_volume(grid, xi, std::nan("")), ConfigError);
  try {
    connected_free_volume(grid, xi, INFINITY);
    FAIL() << "no throw";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "cfv.threshold");
  }
}

}  // namespace
}  // namespace stz
