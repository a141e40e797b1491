#include "libstz/structure/label_image.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>

#include <png.h>

#include "libstz/core/error.hpp"

namespace stz {
namespace {

// Images larger than this are refused rather than allocated (2^31 labels = 16 GiB).
constexpr std::uint64_t kMaxPixels = std::uint64_t{1} << 31;

using FileHandle = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

FileHandle open_for_reading(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr)
    throw IoError(path + ": cannot open for reading (" + std::strerror(errno) + ")");
  return FileHandle(file, &std::fclose);
}

std::string read_all(const std::string& path) {
  FileHandle file = open_for_reading(path);
  std::string data;
  char buffer[65536];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) data.append(buffer, got);
  if (std::ferror(file.get())) throw IoError(path + ": read error");
  return data;
}

// Header tokenizer of the netpbm formats: whitespace and '#' comments separate decimal fields.
class PgmScanner {
 public:
  PgmScanner(const std::string& data, const std::string& path) : m_data(data), m_path(path) {}

  // Reads one non-negative decimal integer; `what` names it in the error message.
  std::uint64_t next_integer(const char* what) {
    skip_separators();
    if (m_pos >= m_data.size())
      throw IoError(m_path + ": truncated PGM (file ends before the " + std::string(what) + ")");
    if (!std::isdigit(static_cast<unsigned char>(m_data[m_pos])))
      throw IoError(m_path + ": malformed PGM (expected a number for the " + std::string(what) +
                    ", found '" + m_data[m_pos] + "')");
    std::uint64_t value = 0;
    while (m_pos < m_data.size() && std::isdigit(static_cast<unsigned char>(m_data[m_pos]))) {
      value = value * 10 + static_cast<std::uint64_t>(m_data[m_pos] - '0');
      if (value > (std::uint64_t{1} << 40))
        throw IoError(m_path + ": malformed PGM (" + std::string(what) + " is out of range)");
      ++m_pos;
    }
    return value;
  }
  std::size_t position() const { return m_pos; }
  void set_position(std::size_t pos) { m_pos = pos; }

 private:
  void skip_separators() {
    while (m_pos < m_data.size()) {
      const char ch = m_data[m_pos];
      if (ch == '#') {
        while (m_pos < m_data.size() && m_data[m_pos] != '\n' && m_data[m_pos] != '\r') ++m_pos;
      } else if (std::isspace(static_cast<unsigned char>(ch))) {
        ++m_pos;
      } else {
        return;
      }
    }
  }

  const std::string& m_data;
  const std::string& m_path;
  std::size_t m_pos = 2;
};

LabelImage image_of_size(std::uint64_t width, std::uint64_t height, const std::string& path) {
  if (width == 0 || height == 0 || width * height > kMaxPixels)
    throw IoError(path + ": unsupported image size " + std::to_string(width) + " x " +
                  std::to_string(height) + " (need 1 to 2^31 pixels)");
  LabelImage image;
  image.shape = {static_cast<int>(width), static_cast<int>(height), 1};
  image.dimension = 2;
  image.labels.assign(width * height, 0);
  return image;
}

// Stores the pixel at (column, row) of an image whose rows run top to bottom.
void set_pixel(LabelImage& image, std::size_t column, std::size_t row, std::int64_t value) {
  const int y = image.shape[1] - 1 - static_cast<int>(row);
  image.labels[image.index(static_cast<int>(column), y)] = value;
}

struct PngErrorContext {
  char message[256] = "unknown error";
};

void png_error_to_context(png_structp png, png_const_charp message) {
  auto* context = static_cast<PngErrorContext*>(png_get_error_ptr(png));
  std::snprintf(context->message, sizeof context->message, "%s", message);
  png_longjmp(png, 1);
}

void png_ignore_warning(png_structp, png_const_charp) {}

// Everything the PNG reader changes after setjmp lives behind one pointer that is set before it.
struct PngReadState {
  PngErrorContext error;
  std::vector<png_byte> pixels;
  std::vector<png_bytep> rows;
};

}  // namespace

std::size_t LabelImage::size() const {
  return static_cast<std::size_t>(shape[0]) * static_cast<std::size_t>(shape[1]) *
         static_cast<std::size_t>(shape[2]);
}

LabelImage read_pgm(const std::string& path) {
  const std::string data = read_all(path);
  if (data.size() < 2 || data[0] != 'P' || (data[1] != '2' && data[1] != '5'))
    throw IoError(path + ": not a PGM image (expected the magic number P2 or P5)");
  const bool plain = data[1] == '2';
  PgmScanner scanner(data, path);
  const std::uint64_t width = scanner.next_integer("width");
  const std::uint64_t height = scanner.next_integer("height");
  const std::uint64_t maxval = scanner.next_integer("maximum gray value");
  if (maxval == 0 || maxval > 65535)
    throw IoError(path + ": malformed PGM (maximum gray value " + std::to_string(maxval) +
                  ", allowed 1 to 65535)");
  // Check that the file can hold the pixels before allocating them (a header may claim 2^31).
  if (width > 0 && height > 0 && width * height <= kMaxPixels) {
    const std::uint64_t pixels = width * height;
    const std::uint64_t left = data.size() - std::min(data.size(), scanner.position());
    const std::uint64_t least = plain ? 2 * pixels - 1 : pixels * (maxval < 256 ? 1 : 2);
    if (left < least)
      throw IoError(path + ": truncated PGM (" + std::to_string(width) + " x " +
                    std::to_string(height) + " pixels need at least " + std::to_string(least) +
                    " bytes of pixel data, found " + std::to_string(left) + ")");
  }
  LabelImage image = image_of_size(width, height, path);
  auto check_value = [&](std::uint64_t value, std::size_t column, std::size_t row) {
    if (value > maxval)
      throw IoError(path + ": malformed PGM (pixel at column " + std::to_string(column) + ", row " +
                    std::to_string(row) + " is " + std::to_string(value) +
                    ", above the maximum gray value " + std::to_string(maxval) + ")");
  };
  if (plain) {
    for (std::size_t row = 0; row < height; ++row)
      for (std::size_t column = 0; column < width; ++column) {
        const std::uint64_t value = scanner.next_integer("pixel data");
        check_value(value, column, row);
        set_pixel(image, column, row, static_cast<std::int64_t>(value));
      }
    return image;
  }
  std::size_t pos = scanner.position();
  if (pos >= data.size() || !std::isspace(static_cast<unsigned char>(data[pos])))
    throw IoError(path + ": truncated PGM (no pixel data after the header)");
  ++pos;
  const std::size_t bytes_per_pixel = maxval < 256 ? 1 : 2;
  const std::size_t expected = width * height * bytes_per_pixel;
  if (data.size() - pos < expected)
    throw IoError(path + ": truncated PGM (expected " + std::to_string(expected) +
                  " bytes of pixel data, found " + std::to_string(data.size() - pos) + ")");
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data() + pos);
  for (std::size_t row = 0; row < height; ++row)
    for (std::size_t column = 0; column < width; ++column) {
      const std::size_t k = (row * width + column) * bytes_per_pixel;
      const std::uint64_t value =
          bytes_per_pixel == 1 ? bytes[k] : (std::uint64_t{bytes[k]} << 8) | bytes[k + 1];
      check_value(value, column, row);
      set_pixel(image, column, row, static_cast<std::int64_t>(value));
    }
  return image;
}

LabelImage read_png(const std::string& path) {
  FileHandle file = open_for_reading(path);
  png_byte signature[8] = {};
  const std::size_t got = std::fread(signature, 1, sizeof signature, file.get());
  if (got < sizeof signature || png_sig_cmp(signature, 0, sizeof signature) != 0)
    throw IoError(path + ": not a PNG image (bad signature)");

  auto state = std::make_unique<PngReadState>();
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state->error,
                                           &png_error_to_context, &png_ignore_warning);
  if (png == nullptr) throw IoError(path + ": cannot initialise libpng");
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    throw IoError(path + ": cannot initialise libpng");
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    throw IoError(path + ": truncated or corrupt PNG (libpng: " + state->error.message + ")");
  }
  png_init_io(png, file.get());
  png_set_sig_bytes(png, static_cast<int>(sizeof signature));
  png_read_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info);
  const png_uint_32 height = png_get_image_height(png, info);
  const int bit_depth = png_get_bit_depth(png, info);
  const int color_type = png_get_color_type(png, info);
  if (color_type != PNG_COLOR_TYPE_GRAY && color_type != PNG_COLOR_TYPE_PALETTE) {
    png_destroy_read_struct(&png, &info, nullptr);
    throw IoError(
        path + ": colour PNG (RGB or alpha channel); a label map must be an 8-bit " +
        "grayscale or palette (indexed) PNG, one label per grey level (e.g. ImageMagick " +
        "'convert in.png -alpha off -colorspace Gray -depth 8 out.png', GIMP Image > " +
        "Mode > Indexed, or PIL Image.fromarray(labels.astype('uint8')).save(...))");
  }
  if (bit_depth < 8) png_set_packing(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (static_cast<std::uint64_t>(width) * height > kMaxPixels) {
    png_destroy_read_struct(&png, &info, nullptr);
    throw IoError(path + ": unsupported image size " + std::to_string(width) + " x " +
                  std::to_string(height) + " (need 1 to 2^31 pixels)");
  }
  const std::size_t row_bytes = png_get_rowbytes(png, info);
  state->pixels.resize(row_bytes * height);
  state->rows.resize(height);
  for (png_uint_32 row = 0; row < height; ++row) state->rows[row] = &state->pixels[row * row_bytes];
  png_read_image(png, state->rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);

  LabelImage image = image_of_size(width, height, path);
  const bool wide = bit_depth == 16;
  for (std::size_t row = 0; row < height; ++row) {
    const png_byte* bytes = state->rows[row];
    for (std::size_t column = 0; column < width; ++column) {
      const std::int64_t value =
          wide ? (std::int64_t{bytes[2 * column]} << 8) | bytes[2 * column + 1] : bytes[column];
      set_pixel(image, column, row, value);
    }
  }
  return image;
}

LabelImage read_label_image(const std::string& path) {
  FileHandle file = open_for_reading(path);
  unsigned char magic[8] = {};
  const std::size_t got = std::fread(magic, 1, sizeof magic, file.get());
  file.reset();
  if (got >= 2 && magic[0] == 'P' && (magic[1] == '2' || magic[1] == '5')) return read_pgm(path);
  if (got == sizeof magic && png_sig_cmp(magic, 0, sizeof magic) == 0) return read_png(path);
  throw IoError(path + ": not a label image (expected a PGM (P2/P5) or PNG file)");
}

}  // namespace stz
