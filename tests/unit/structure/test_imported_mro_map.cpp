// Imported MRO maps: resampling (identity, stretch, tiling), periodic face-connected domains,
// orientations, errors, and the full file → LabelImage → StructureMap path for PGM and PNG.
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "connectivity.hpp"
#include "image_writers.hpp"
#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"
#include "libstz/core/units.hpp"
#include "libstz/structure/imported_mro_map.hpp"

namespace stz {
namespace {

// 16×8 label image:
//   label 3 (→ type 1): columns 0–1 and 14–15 of rows 2–4: one domain across the x boundary;
//   label 7 (→ type 2): a 3×3 block at x 5–7, y 3–5;
//   label 5 (→ type 1): two separate 2×2 blocks (x 10–11, y 0–1 and y 5–6): two domains;
//   label 6 (→ type 1): a 1×2 block at x 8, y 3–4, face-adjacent to label 7: its own domain;
//   label 9 (→ type 0): one pixel of matrix-mapped label at (12, 7);
//   everything else label 0 (→ type 0).
LabelImage test_image() {
  LabelImage image;
  image.shape = {16, 8, 1};
  image.dimension = 2;
  image.labels.assign(128, 0);
  auto set = [&](int x0, int x1, int y0, int y1, std::int64_t label) {
    for (int x = x0; x <= x1; ++x)
      for (int y = y0; y <= y1; ++y) image.labels[image.index(x, y)] = label;
  };
  set(0, 1, 2, 4, 3);
  set(14, 15, 2, 4, 3);
  set(5, 7, 3, 5, 7);
  set(10, 11, 0, 1, 5);
  set(10, 11, 5, 6, 5);
  set(8, 8, 3, 4, 6);
  set(12, 12, 7, 7, 9);
  return image;
}

const std::map<std::int64_t, int> kTable{{0, 0}, {3, 1}, {5, 1}, {6, 1}, {7, 2}, {9, 0}};

// Domain voxel counts sorted, with their types, for comparisons independent of numbering.
std::vector<std::pair<int, std::size_t>> domain_summary(const StructureMap& map) {
  std::vector<std::pair<int, std::size_t>> summary;
  for (const MroDomain& d : map.domains) summary.emplace_back(d.type, d.voxel_count);
  std::sort(summary.begin(), summary.end());
  return summary;
}

TEST(ImportedMroMap, IdentityResamplingFindsPeriodicDomains) {
  const Grid grid = Grid::plane(16, 8);
  const LabelImage image = test_image();
  const StructureMap map = structure_from_labels(grid, image, kTable, 0.0, 1);
  ASSERT_NO_THROW(map.check_invariants(grid));
  // Label 3 (12 voxels, wrapped), label 5 (two of 4), label 6 (2), label 7 (9).
  const std::vector<std::pair<int, std::size_t>> expected{{1, 2}, {1, 4}, {1, 4}, {1, 12}, {2, 9}};
  EXPECT_EQ(domain_summary(map), expected);
  for (int x = 0; x < 16; ++x)
    for (int y = 0; y < 8; ++y) {
      const std::size_t i = grid.index(x, y, 0);
      EXPECT_EQ(map.type[i], kTable.at(image.at(x, y))) << x << "," << y;
      EXPECT_EQ(map.domain_id[i] == kMatrixDomain, map.type[i] == 0);
    }
  const std::int32_t wrapped = map.domain_id[grid.index(0, 2, 0)];
  EXPECT_EQ(map.domain_id[grid.index(15, 4, 0)], wrapped);
  EXPECT_TRUE(testing::is_one_periodic_piece(grid, testing::voxels_of(map.domain_id, wrapped)));
  // Periodic centroid of the wrapped block: x = 0 (the boundary), y = 3.5.
  const MroDomain& d = map.domains[static_cast<std::size_t>(wrapped)];
  EXPECT_TRUE(std::abs(d.centre_nm[0]) < 1e-9 || std::abs(d.centre_nm[0] - 16.0) < 1e-9)
      << d.centre_nm[0];
  // Circular mean of y = 2.5, 3.5, 4.5 on a ring of 8: exactly 3.5 up to rounding.
  EXPECT_NEAR(d.centre_nm[1], 3.5, 1e-9);
  EXPECT_EQ(d.centre_nm[2], 0.5);
  // Equivalent disc diameter of 12 voxels of 1 nm².
  EXPECT_NEAR(d.diameter_nm, std::sqrt(48.0 / units::pi), 1e-12);
}

TEST(ImportedMroMap, StretchAndTile) {
  const LabelImage image = test_image();
  const StructureMap base = structure_from_labels(Grid::plane(16, 8), image, kTable, 0.0, 1);
  // Stretch onto a grid twice as fine: same domains, four times the voxels each.
  const StructureMap fine = structure_from_labels(Grid::plane(32, 16), image, kTable, 0.0, 1);
  auto expected = domain_summary(base);
  for (auto& entry : expected) entry.second *= 4;
  EXPECT_EQ(domain_summary(fine), expected);
  // Stretch with half-size voxels of the same box gives the same map as the 32×16 grid.
  const StructureMap fine_voxels =
      structure_from_labels(Grid::plane(32, 16, 0.5), image, kTable, 0.0, 1);
  EXPECT_EQ(fine_voxels.domain_id, fine.domain_id);

  // Tiling: 1 nm pixels on a 40×12 grid of 1 nm voxels repeat the image periodically.
  const Grid tiled_grid = Grid::plane(40, 12);
  const StructureMap tiled = structure_from_labels(tiled_grid, image, kTable, 1.0, 1);
  for (int x = 0; x < 40; ++x)
    for (int y = 0; y < 12; ++y)
      ASSERT_EQ(tiled.type[tiled_grid.index(x, y, 0)], kTable.at(image.at(x % 16, y % 8)))
          << x << "," << y;
}

TEST(ImportedMroMap, ThreeDimensionalVolume) {
  LabelImage volume;
  volume.shape = {6, 5, 4};
  volume.dimension = 3;
  volume.labels.assign(120, 0);
  // A column through the z boundary (z = 3, 0) at (2, 2), and a single voxel of label 4.
  volume.labels[volume.index(2, 2, 3)] = 1;
  volume.labels[volume.index(2, 2, 0)] = 1;
  volume.labels[volume.index(4, 0, 1)] = 4;
  const Grid grid = Grid::box(6, 5, 4, 2.0);
  const StructureMap map = structure_from_labels(grid, volume, {{0, 0}, {1, 3}, {4, 2}}, 0.0, 5);
  ASSERT_NO_THROW(map.check_invariants(grid));
  ASSERT_EQ(map.domains.size(), 2u);
  const MroDomain& column = map.domains[0];
  EXPECT_EQ(column.type, 3);
  EXPECT_EQ(column.voxel_count, 2u);
  // Centroid between z = 3.5 and 0.5 voxels across the boundary: 0 (≡ 4) voxels → 0 nm or 8 nm.
  EXPECT_TRUE(std::abs(column.centre_nm[2]) < 1e-9 || std::abs(column.centre_nm[2] - 8.0) < 1e-9)
      << column.centre_nm[2];
  // Sphere with the volume of 2 voxels of 8 nm³.
  EXPECT_NEAR(column.diameter_nm, std::cbrt(6.0 * 16.0 / units::pi), 1e-12);
  EXPECT_LT((column.rotation.transpose() * column.rotation - Eigen::Matrix3d::Identity()).norm(),
            1e-12);  // orthonormal to rounding
}

TEST(ImportedMroMap, OrientationsAreSeededAndThreadIndependent) {
  const Grid grid = Grid::plane(16, 8);
  const LabelImage image = test_image();
  const StructureMap a = structure_from_labels(grid, image, kTable, 0.0, 21);
  const int threads = max_threads();
  set_threads(2);
  const StructureMap b = structure_from_labels(grid, image, kTable, 0.0, 21);
  set_threads(threads);
  const StructureMap c = structure_from_labels(grid, image, kTable, 0.0, 22);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.domain_id, c.domain_id);
  EXPECT_NE(a.domains[0].angle_rad, c.domains[0].angle_rad);
  for (const MroDomain& d : a.domains) {
    EXPECT_GE(d.angle_rad, 0.0);
    EXPECT_LT(d.angle_rad, units::pi);
  }
}

ConfigError config_error(const std::function<void()>& action) {
  try {
    action();
  } catch (const ConfigError& e) {
    return e;
  }
  return ConfigError("(none)", "", "no ConfigError thrown");
}

TEST(ImportedMroMap, UnknownLabelsListTheLabelsAndTheTable) {
  const Grid grid = Grid::plane(16, 8);
  LabelImage image = test_image();
  for (int k = 0; k < 12; ++k) image.labels[static_cast<std::size_t>(40 + k)] = 100 + k;
  const ConfigError e = config_error([&] { structure_from_labels(grid, image, kTable, 0.0, 1); });
  const std::string message = e.what();
  EXPECT_EQ(e.key(), "mro.labels");
  EXPECT_NE(message.find("100, 101, 102"), std::string::npos) << message;
  EXPECT_NE(message.find("(and 4 more)"), std::string::npos) << message;
  EXPECT_NE(message.find("the table has labels 0, 3, 5, 6, 7, 9"), std::string::npos) << message;
}

TEST(ImportedMroMap, OtherErrors) {
  const LabelImage image = test_image();
  const ConfigError dimension =
      config_error([&] { structure_from_labels(Grid::box(16, 8, 4), image, kTable, 0.0, 1); });
  EXPECT_EQ(dimension.key(), "mro.map");
  EXPECT_NE(std::string(dimension.what()).find("2D label map"), std::string::npos)
      << dimension.what();
  LabelImage short_image = image;
  short_image.labels.pop_back();
  EXPECT_EQ(config_error([&] {
              structure_from_labels(Grid::plane(16, 8), short_image, kTable, 0.0, 1);
            }).key(),
            "mro.map");
  auto bad_table = kTable;
  bad_table[7] = -2;
  EXPECT_EQ(config_error([&] {
              structure_from_labels(Grid::plane(16, 8), image, bad_table, 0.0, 1);
            }).key(),
            "mro.labels");
  EXPECT_EQ(config_error([&] {
              structure_from_labels(Grid::plane(16, 8), image, kTable, -1.0, 1);
            }).key(),
            "mro.map_pixel_nm");
}

TEST(ImportedMroMap, ImageFileRoundTrip) {
  const Grid grid = Grid::plane(16, 8);
  const LabelImage image = test_image();
  const StructureMap direct = structure_from_labels(grid, image, kTable, 0.0, 3);
  const std::string pgm = testing::temp_path("domains.pgm"),
                    png = testing::temp_path("domains.png");
  testing::write_pgm(pgm, image, false, 255);
  testing::write_png(png, image, testing::PngLayout::palette, 8);
  for (const std::string& path : {pgm, png}) {
    SCOPED_TRACE(path);
    const StructureMap map = structure_from_labels(grid, read_label_image(path), kTable, 0.0, 3);
    EXPECT_EQ(map.domains.size(), 5u);
    EXPECT_EQ(map.type_voxel_counts(), (std::vector<std::size_t>{97, 22, 9}));
    EXPECT_EQ(map, direct);
    std::remove(path.c_str());
  }
}

}  // namespace
}  // namespace stz
