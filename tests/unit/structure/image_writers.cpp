#include "image_writers.hpp"

#include <csetjmp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

namespace stz::testing {

void write_pgm(const std::string& path, const LabelImage& image, bool plain, int maxval) {
  const int width = image.shape[0], height = image.shape[1];
  std::ofstream out(path, std::ios::binary);
  out << (plain ? "P2" : "P5") << "\n# label map written by test_structure\n"
      << width << " " << height << "\n# maxval next\n"
      << maxval << "\n";
  for (int row = 0; row < height; ++row)
    for (int x = 0; x < width; ++x) {
      const auto value = static_cast<unsigned>(image.at(x, height - 1 - row));
      if (plain) {
        out << value << (x + 1 < width ? " " : "\n");
      } else if (maxval > 255) {
        out.put(static_cast<char>(value >> 8)).put(static_cast<char>(value & 0xff));
      } else {
        out.put(static_cast<char>(value));
      }
    }
  if (!out) throw std::runtime_error("cannot write " + path);
}

void write_png(const std::string& path, const LabelImage& image, PngLayout layout, int bit_depth,
               bool interlaced) {
  const int width = image.shape[0], height = image.shape[1];
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("cannot write " + path);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(file);
    throw std::runtime_error("libpng failed writing " + path);
  }
  png_init_io(png, file);
  const int color_type = layout == PngLayout::gray      ? PNG_COLOR_TYPE_GRAY
                         : layout == PngLayout::palette ? PNG_COLOR_TYPE_PALETTE
                                                        : PNG_COLOR_TYPE_RGB;
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height),
               bit_depth, color_type, interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  std::vector<png_color> palette(static_cast<std::size_t>(1) << bit_depth);
  if (layout == PngLayout::palette) {
    for (std::size_t k = 0; k < palette.size(); ++k)
      palette[k] = {static_cast<png_byte>(37 * k), static_cast<png_byte>(255 - k),
                    static_cast<png_byte>(91 * k)};
    png_set_PLTE(png, info, palette.data(), static_cast<int>(palette.size()));
  }
  png_write_info(png, info);
  if (layout != PngLayout::rgb && bit_depth < 8) png_set_packing(png);
  const int channels = layout == PngLayout::rgb ? 3 : 1;
  const int bytes_per_sample = bit_depth == 16 ? 2 : 1;
  std::vector<png_byte> pixels(
      static_cast<std::size_t>(width * height * channels * bytes_per_sample));
  std::vector<png_bytep> rows(static_cast<std::size_t>(height));
  for (int row = 0; row < height; ++row) {
    png_bytep bytes = &pixels[static_cast<std::size_t>(row * width * channels * bytes_per_sample)];
    rows[static_cast<std::size_t>(row)] = bytes;
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c) {
        const auto value = static_cast<unsigned>(image.at(x, height - 1 - row));
        const std::size_t k = static_cast<std::size_t>((x * channels + c) * bytes_per_sample);
        if (bytes_per_sample == 2) {
          bytes[k] = static_cast<png_byte>(value >> 8);
          bytes[k + 1] = static_cast<png_byte>(value & 0xff);
        } else {
          bytes[k] = static_cast<png_byte>(value);
        }
      }
  }
  png_set_interlace_handling(png);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(file);
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "stz_structure_" + std::to_string(::getpid()) + "_" + name;
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace stz::testing
