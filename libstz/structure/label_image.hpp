// Integer label maps (2D images or 3D volumes), e.g. the domain segmentation of a 4D-STEM
// analysis, and readers for PGM and PNG label images.
// Layout: shape {nx, ny, nz}, value of (x, y, z) at labels[(x·ny + y)·nz + z] — the grid's own
// order, so a C-ordered (nx, ny, nz) HDF5 dataset maps directly. 2D maps have nz = 1.
// Images: pixel column → x, and y counts rows from the BOTTOM (y = height − 1 − row), so a map
// plotted with the origin at the lower left (matplotlib imshow(map.T, origin="lower")) looks
// like the image file.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace stz {

/// An integer label map on a regular pixel/voxel lattice.
struct LabelImage {
  /// {nx, ny, nz}, each >= 1; nz = 1 for 2D.
  std::array<int, 3> shape{1, 1, 1};
  /// 2 (image) or 3 (volume).
  int dimension = 2;
  /// Labels in the order (x·ny + y)·nz + z.
  std::vector<std::int64_t> labels;

  /// Position of (x, y, z) in `labels`.
  std::size_t index(int x, int y, int z = 0) const {
    return (static_cast<std::size_t>(x) * static_cast<std::size_t>(shape[1]) +
            static_cast<std::size_t>(y)) *
               static_cast<std::size_t>(shape[2]) +
           static_cast<std::size_t>(z);
  }
  /// Label of (x, y, z).
  std::int64_t at(int x, int y, int z = 0) const { return labels[index(x, y, z)]; }
  /// Number of pixels/voxels, shape[0]·shape[1]·shape[2].
  std::size_t size() const;
};

/// Reads a PGM image: plain (P2) or raw (P5), maxval <= 255 (8 bit) or <= 65535 (16 bit, big
/// endian); comments allowed in the header. Labels are the gray values. Throws IoError naming
/// the path and the problem (missing, not a PGM, bad header, truncated, value above maxval).
LabelImage read_pgm(const std::string& path);

/// Reads a PNG label image: grayscale (1–16 bit; labels are the gray values) or palette-indexed
/// (labels are the palette indices, as segmentation tools store label maps). RGB and images with
/// an alpha channel are rejected (a colour is not a label). Throws IoError naming the path and
/// the problem (missing, not a PNG, truncated or corrupt, colour image).
LabelImage read_png(const std::string& path);

/// Reads a PGM or PNG label image, chosen by the file's magic number (not its extension).
LabelImage read_label_image(const std::string& path);

}  // namespace stz
