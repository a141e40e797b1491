// Test-only writers of PGM and PNG label images (the library only reads them). Rows are written
// top to bottom, the top row holding y = ny − 1, the convention read_pgm/read_png invert.
#pragma once

#include <string>

#include "libstz/structure/label_image.hpp"

namespace stz::testing {

/// PGM: plain (P2) or raw (P5); 16-bit samples when maxval > 255. Adds a header comment.
void write_pgm(const std::string& path, const LabelImage& image, bool plain, int maxval);

/// PNG colour layouts the writer can produce.
enum class PngLayout { gray, palette, rgb };

/// PNG with the given layout and bit depth (gray: 1, 2, 4, 8, 16; palette: 1–8; rgb: 8);
/// labels must fit the depth. rgb writes the label into all three channels.
void write_png(const std::string& path, const LabelImage& image, PngLayout layout, int bit_depth,
               bool interlaced = false);

/// A fresh path in the test temporary directory.
std::string temp_path(const std::string& name);

/// Writes `bytes` to `path` verbatim (for corrupt and truncated files).
void write_bytes(const std::string& path, const std::string& bytes);
/// The whole content of `path`.
std::string read_bytes(const std::string& path);

}  // namespace stz::testing
