// PGM and PNG label-image readers: round trips of every supported layout, the row convention,
// and clear IoErrors for missing, truncated, corrupt and colour files.
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "image_writers.hpp"
#include "libstz/core/error.hpp"
#include "libstz/structure/label_image.hpp"

namespace stz {
namespace {

// A 7×5 image with labels up to max_label and no symmetry, so transposes or flips show.
LabelImage sample_image(std::int64_t max_label) {
  LabelImage image;
  image.shape = {7, 5, 1};
  image.dimension = 2;
  image.labels.resize(35);
  for (int x = 0; x < 7; ++x)
    for (int y = 0; y < 5; ++y)
      image.labels[image.index(x, y)] = (x * 13 + y * 5 + x * y) % (max_label + 1);
  image.labels[image.index(6, 4)] = max_label;
  return image;
}

void expect_same_image(const LabelImage& read, const LabelImage& written) {
  EXPECT_EQ(read.dimension, 2);
  EXPECT_EQ(read.shape, written.shape);
  EXPECT_EQ(read.labels, written.labels);
}

std::string io_error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const IoError& e) {
    return e.what();
  }
  return "(no IoError)";
}

TEST(LabelImage, PgmRoundTrips) {
  const LabelImage small = sample_image(200);
  const LabelImage wide = sample_image(60000);
  const std::string p2 = testing::temp_path("plain.pgm"), p5 = testing::temp_path("raw.pgm"),
                    p5w = testing::temp_path("raw16.pgm"), p2w = testing::temp_path("plain16.pgm");
  testing::write_pgm(p2, small, true, 255);
  testing::write_pgm(p5, small, false, 255);
  testing::write_pgm(p5w, wide, false, 65535);
  testing::write_pgm(p2w, wide, true, 60000);
  expect_same_image(read_pgm(p2), small);
  expect_same_image(read_pgm(p5), small);
  expect_same_image(read_pgm(p5w), wide);
  expect_same_image(read_pgm(p2w), wide);
  expect_same_image(read_label_image(p5w), wide);
  for (const auto& path : {p2, p5, p5w, p2w}) std::remove(path.c_str());
}

TEST(LabelImage, TopRowIsTheLargestY) {
  const std::string path = testing::temp_path("rows.pgm");
  testing::write_bytes(path, "P2\n3 2\n9\n1 2 3\n4 5 6\n");
  const LabelImage image = read_pgm(path);
  EXPECT_EQ(image.shape, (std::array<int, 3>{3, 2, 1}));
  EXPECT_EQ(image.at(0, 1), 1);  // top-left pixel
  EXPECT_EQ(image.at(2, 1), 3);
  EXPECT_EQ(image.at(0, 0), 4);  // bottom-left pixel
  EXPECT_EQ(image.at(2, 0), 6);
  std::remove(path.c_str());
}

TEST(LabelImage, PngRoundTrips) {
  struct Case {
    const char* name;
    testing::PngLayout layout;
    int depth;
    bool interlaced;
    std::int64_t max_label;
  };
  const Case cases[] = {
      {"gray8", testing::PngLayout::gray, 8, false, 250},
      {"gray16", testing::PngLayout::gray, 16, false, 65000},
      {"gray4", testing::PngLayout::gray, 4, false, 15},
      {"gray2_interlaced", testing::PngLayout::gray, 2, true, 3},
      {"gray16_interlaced", testing::PngLayout::gray, 16, true, 40000},
      {"palette8", testing::PngLayout::palette, 8, false, 255},
      {"palette4", testing::PngLayout::palette, 4, false, 15},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const LabelImage image = sample_image(c.max_label);
    const std::string path = testing::temp_path(std::string(c.name) + ".png");
    testing::write_png(path, image, c.layout, c.depth, c.interlaced);
    expect_same_image(read_png(path), image);
    expect_same_image(read_label_image(path), image);
    std::remove(path.c_str());
  }
}

TEST(LabelImage, MissingFileNamesThePath) {
  const std::string path = testing::temp_path("does_not_exist.pgm");
  for (const auto& message :
       {io_error_message([&] { read_pgm(path); }), io_error_message([&] { read_png(path); }),
        io_error_message([&] { read_label_image(path); })}) {
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("cannot open"), std::string::npos) << message;
  }
}

TEST(LabelImage, TruncatedFilesAreReported) {
  const LabelImage image = sample_image(60000);
  const std::string p5 = testing::temp_path("cut.pgm"), p2 = testing::temp_path("cut_plain.pgm"),
                    png = testing::temp_path("cut.png");
  testing::write_pgm(p5, image, false, 65535);
  std::string bytes = testing::read_bytes(p5);
  testing::write_bytes(p5, bytes.substr(0, bytes.size() - 3));
  testing::write_pgm(p2, image, true, 65535);
  bytes = testing::read_bytes(p2);
  testing::write_bytes(p2, bytes.substr(0, bytes.size() / 2));
  testing::write_png(png, image, testing::PngLayout::gray, 16);
  bytes = testing::read_bytes(png);
  testing::write_bytes(png, bytes.substr(0, bytes.size() / 2));
  for (const auto& [path, message] : {std::pair{p5, io_error_message([&] { read_pgm(p5); })},
                                      std::pair{p2, io_error_message([&] { read_pgm(p2); })},
                                      std::pair{png, io_error_message([&] { read_png(png); })}}) {
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  }
  std::remove(p5.c_str());
  std::remove(p2.c_str());
  std::remove(png.c_str());
}

TEST(LabelImage, NotAnImageAndBadContentAreReported) {
  const std::string text = testing::temp_path("notes.txt");
  testing::write_bytes(text, "domain sizes: 1.3 nm\n");
  EXPECT_NE(io_error_message([&] { read_pgm(text); }).find("not a PGM"), std::string::npos);
  EXPECT_NE(io_error_message([&] { read_png(text); }).find("not a PNG"), std::string::npos);
  EXPECT_NE(io_error_message([&] { read_label_image(text); }).find("not a label image"),
            std::string::npos);

  const std::string above = testing::temp_path("above.pgm");
  testing::write_bytes(above, "P2 2 1 10 3 11\n");
  EXPECT_NE(io_error_message([&] { read_pgm(above); }).find("above the maximum gray value"),
            std::string::npos);
  const std::string header = testing::temp_path("header.pgm");
  testing::write_bytes(header, "P5 4 x 255\n");
  EXPECT_NE(io_error_message([&] { read_pgm(header); }).find("malformed PGM"), std::string::npos);

  const std::string rgb = testing::temp_path("rgb.png");
  testing::write_png(rgb, sample_image(255), testing::PngLayout::rgb, 8);
  const std::string message = io_error_message([&] { read_png(rgb); });
  EXPECT_NE(message.find("colour PNG"), std::string::npos) << message;
  EXPECT_NE(message.find(rgb), std::string::npos) << message;

  const std::string corrupt = testing::temp_path("corrupt.png");
  testing::write_png(corrupt, sample_image(255), testing::PngLayout::gray, 8);
  std::string bytes = testing::read_bytes(corrupt);
  for (std::size_t k = 40; k < bytes.size() - 12; ++k)
    bytes[k] = static_cast<char>(bytes[k] ^ 0x5a);
  testing::write_bytes(corrupt, bytes);
  EXPECT_NE(io_error_message([&] { read_png(corrupt); }).find("corrupt PNG"), std::string::npos);
  for (const auto& path : {text, above, header, rgb, corrupt}) std::remove(path.c_str());
}

}  // namespace
namespace {
// Found by tests/fuzz: a header claiming ~2^30 pixels made the reader allocate them all (8 GB of
// labels) before it noticed the file was far too short.
TEST(LabelImageFuzzFindings, HugeHeaderOnShortFileIsRefusedBeforeAllocating) {
  const std::string path = ::testing::TempDir() + "/huge_header.pgm";
  for (const std::string header : {"P5 3 288888888 8\n\x01\x02", "P2 30000 30000 255\n0 1 2\n"}) {
    { std::ofstream(path, std::ios::binary) << header; }
    const std::string message = io_error_message([&] { read_pgm(path); });
    EXPECT_NE(message.find("truncated PGM"), std::string::npos) << message;
    EXPECT_NE(message.find("pixels need at least"), std::string::npos) << message;
  }
  std::remove(path.c_str());
}
}  // namespace

}  // namespace stz
