#include "libstz/structure/imported_mro_map.hpp"

#include <cmath>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "libstz/core/error.hpp"
#include "libstz/core/rng.hpp"
#include "libstz/core/units.hpp"

namespace stz {
namespace {

constexpr std::size_t kLabelsListed = 8;

std::string shape_text(const std::array<int, 3>& shape, int dimension) {
  std::string text = "[" + std::to_string(shape[0]) + ", " + std::to_string(shape[1]);
  if (dimension == 3) text += ", " + std::to_string(shape[2]);
  return text + "]";
}

template <class Range>
std::string list_text(const Range& values, std::size_t total) {
  std::string text;
  std::size_t k = 0;
  for (const auto& v : values) {
    if (k == kLabelsListed) break;
    text += (k > 0 ? ", " : "") + std::to_string(v);
    ++k;
  }
  if (total > kLabelsListed) text += " (and " + std::to_string(total - kLabelsListed) + " more)";
  return text;
}

void check_label_image(const Grid& grid, const LabelImage& labels) {
  if (labels.dimension != grid.dimension())
    throw ConfigError("mro.map",
                      "a " + std::to_string(labels.dimension) + "D label map " +
                          shape_text(labels.shape, labels.dimension),
                      "a " + std::to_string(grid.dimension()) + "D label map for the " +
                          std::to_string(grid.dimension()) + "D grid");
  bool shape_ok = labels.dimension == 3 || labels.shape[2] == 1;
  for (int e : labels.shape) shape_ok = shape_ok && e >= 1;
  if (!shape_ok)
    throw ConfigError("mro.map", "shape " + shape_text(labels.shape, 3),
                      "every extent >= 1, and nz = 1 for a 2D map");
  // A map written (ny, nx) for an nx×ny grid (e.g. numpy image order) would be stretched
  // silently: refuse the exact transpose.
  const int d = grid.dimension();
  bool equal = true, transposed = false;
  for (int a = 0; a < d; ++a) equal = equal && labels.shape[a] == grid.extent(a);
  if (!equal) {
    transposed = true;
    for (int a = 0; a < d; ++a)
      transposed = transposed && labels.shape[a] == grid.extent(d - 1 - a);
  }
  if (transposed)
    throw ConfigError("mro.map", "shape " + shape_text(labels.shape, d),
                      "the grid's own axis order " +
                          shape_text({grid.extent(0), grid.extent(1), grid.extent(2)}, d) +
                          "; this map is the grid transposed (write it as (nx, ny[, nz]), x "
                          "slowest: in numpy, labels.T)");
  if (labels.labels.size() != labels.size())
    throw ConfigError("mro.map",
                      std::to_string(labels.labels.size()) + " labels for shape " +
                          shape_text(labels.shape, labels.dimension),
                      "one label per pixel (" + std::to_string(labels.size()) + ")");
}

void check_table(const LabelImage& labels, const std::map<std::int64_t, int>& label_to_type) {
  for (const auto& [label, type] : label_to_type)
    if (type < kMatrixType || type > kMaxTypeIndex)
      throw ConfigError("mro.labels",
                        "label " + std::to_string(label) + " -> type " + std::to_string(type),
                        "type indices in [0, " + std::to_string(kMaxTypeIndex) + "] (0 = matrix)");
  std::set<std::int64_t> unknown;
  for (std::int64_t label : labels.labels)
    if (label_to_type.find(label) == label_to_type.end()) unknown.insert(label);
  if (unknown.empty()) return;
  std::vector<std::int64_t> known;
  for (const auto& entry : label_to_type) known.push_back(entry.first);
  throw ConfigError("mro.labels", "labels without a type: " + list_text(unknown, unknown.size()),
                    "every label in the map needs an entry; the table has labels " +
                        (known.empty() ? std::string("(none)") : list_text(known, known.size())));
}

// Pixel coordinate that grid coordinate g samples along one axis.
int sample_coordinate(int g, int grid_extent, int image_extent, double voxel_nm, double pixel_nm) {
  if (pixel_nm == 0.0) {
    const auto p = static_cast<int>(std::floor((g + 0.5) * image_extent / grid_extent));
    return std::min(p, image_extent - 1);
  }
  const auto p = static_cast<long>(std::floor((g + 0.5) * voxel_nm / pixel_nm));
  return static_cast<int>(p % image_extent);
}

std::size_t find_root(std::vector<std::size_t>& parent, std::size_t i) {
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

void unite(std::vector<std::size_t>& parent, std::size_t a, std::size_t b) {
  a = find_root(parent, a);
  b = find_root(parent, b);
  if (a == b) return;
  if (a < b)
    parent[b] = a;
  else
    parent[a] = b;
}

}  // namespace

StructureMap structure_from_labels(const Grid& grid, const LabelImage& labels,
                                   const std::map<std::int64_t, int>& label_to_type,
                                   double pixel_nm, std::uint64_t seed) {
  check_label_image(grid, labels);
  check_table(labels, label_to_type);
  if (!(pixel_nm >= 0.0) || !std::isfinite(pixel_nm))
    throw ConfigError("mro.map_pixel_nm", to_display(pixel_nm),
                      "0 (stretch the map over the box) or a pixel edge in nm > 0");

  const std::size_t n = grid.size();
  const double a = grid.voxel_nm();
  if (pixel_nm > 0.0)
    for (int ax = 0; ax < grid.dimension(); ++ax) {
      const double map_nm = labels.shape[static_cast<std::size_t>(ax)] * pixel_nm;
      if (map_nm < a)
        throw ConfigError("mro.map_pixel_nm", to_display(pixel_nm),
                          "a pixel size at which the map covers at least one voxel; along axis " +
                              std::to_string(ax) + " it spans " + to_display(map_nm) +
                              " nm < the voxel edge " + to_display(a) +
                              " nm (0 stretches the map over the box)");
    }
  std::vector<std::int64_t> voxel_label(n);
  std::array<std::vector<int>, 3> sample;
  for (std::size_t ax = 0; ax < 3; ++ax) {
    const int extent = grid.extent(static_cast<int>(ax));
    sample[ax].resize(static_cast<std::size_t>(extent));
    for (int g = 0; g < extent; ++g)
      sample[ax][static_cast<std::size_t>(g)] =
          sample_coordinate(g, extent, labels.shape[ax], a, pixel_nm);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = grid.coords(i);
    voxel_label[i] = labels.at(sample[0][static_cast<std::size_t>(c[0])],
                               sample[1][static_cast<std::size_t>(c[1])],
                               sample[2][static_cast<std::size_t>(c[2])]);
  }

  StructureMap map = make_matrix_structure(grid);
  std::vector<int> voxel_type(n);
  for (std::size_t i = 0; i < n; ++i) voxel_type[i] = label_to_type.at(voxel_label[i]);

  std::vector<std::size_t> parent(n);
  std::iota(parent.begin(), parent.end(), std::size_t{0});
  for (std::size_t i = 0; i < n; ++i) {
    if (voxel_type[i] == kMatrixType) continue;
    const auto c = grid.coords(i);
    for (int ax = 0; ax < grid.dimension(); ++ax) {
      std::array<long, 3> next{c[0], c[1], c[2]};
      ++next[static_cast<std::size_t>(ax)];
      const std::size_t j = grid.wrapped_index(next[0], next[1], next[2]);
      if (voxel_label[j] == voxel_label[i]) unite(parent, i, j);
    }
  }

  // Domains numbered by their lowest voxel index, which is also their union-find root.
  std::vector<std::int32_t> root_domain(n, kMatrixDomain);
  struct CentroidSums {
    std::array<double, 3> cos_sum{}, sin_sum{};
  };
  std::vector<CentroidSums> sums;
  for (std::size_t i = 0; i < n; ++i) {
    if (voxel_type[i] == kMatrixType) continue;
    const std::size_t root = find_root(parent, i);
    if (root_domain[root] == kMatrixDomain) {
      root_domain[root] = static_cast<std::int32_t>(map.domains.size());
      MroDomain domain;
      domain.type = voxel_type[i];
      map.domains.push_back(domain);
      sums.emplace_back();
    }
    const std::int32_t id = root_domain[root];
    map.domain_id[i] = id;
    map.type[i] = static_cast<std::int16_t>(voxel_type[i]);
    MroDomain& domain = map.domains[static_cast<std::size_t>(id)];
    ++domain.voxel_count;
    const auto c = grid.coords(i);
    for (std::size_t ax = 0; ax < 3; ++ax) {
      const double phase = 2.0 * units::pi * (c[ax] + 0.5) / grid.extent(static_cast<int>(ax));
      sums[static_cast<std::size_t>(id)].cos_sum[ax] += std::cos(phase);
      sums[static_cast<std::size_t>(id)].sin_sum[ax] += std::sin(phase);
    }
  }

  Rng rng(seed, RngPurpose::mro_map);
  for (std::size_t d = 0; d < map.domains.size(); ++d) {
    MroDomain& domain = map.domains[d];
    const double volume = static_cast<double>(domain.voxel_count) * grid.voxel_volume_nm3();
    domain.diameter_nm = grid.dimension() == 2 ? std::sqrt(4.0 * (volume / a) / units::pi)
                                               : std::cbrt(6.0 * volume / units::pi);
    for (std::size_t ax = 0; ax < 3; ++ax) {
      const int extent = grid.extent(static_cast<int>(ax));
      // Circular mean: the centroid of a domain that wraps across the boundary.
      double phase = std::atan2(sums[d].sin_sum[ax], sums[d].cos_sum[ax]);
      if (phase < 0.0) phase += 2.0 * units::pi;
      double centre = phase / (2.0 * units::pi) * extent;
      if (centre >= extent) centre -= extent;
      domain.centre_nm[ax] = centre * a;
    }
    if (grid.dimension() == 2) {
      domain.angle_rad = units::pi * uniform01(rng);
      domain.rotation = rotation_about_z(domain.angle_rad);
    } else {
      domain.rotation = random_rotation(rng);
    }
  }
  return map;
}

}  // namespace stz
