#include "libstz/structure/synthetic_mro_map.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "libstz/core/error.hpp"
#include "libstz/core/rng.hpp"
#include "libstz/core/units.hpp"

namespace stz {
namespace {

// The composition entry a weighted draw u in [0, total weight) falls on; zero weights are never
// picked (u at the very top, by rounding, goes to the last positive entry).
std::size_t pick_component(const std::vector<MroComponent>& composition,
                           const std::vector<double>& cumulative, std::size_t last_positive,
                           double u) {
  for (std::size_t k = 0; k < cumulative.size(); ++k)
    if (u < cumulative[k] && composition[k].weight > 0.0) return k;
  return last_positive;
}

struct BallVoxel {
  double distance2;  // squared distance of the voxel centre from the ball centre, voxel units
  std::size_t index;
};

// Voxels of the ball of radius r (voxel units) centred at c (voxel units, each in [0, n)).
void collect_ball(const Grid& grid, const std::array<double, 3>& c, double r,
                  std::vector<BallVoxel>& out) {
  out.clear();
  std::array<std::vector<std::pair<int, double>>, 3> axis_voxels;  // (coordinate, offset)
  std::array<int, 3> centre_voxel{0, 0, 0};
  for (int a = 0; a < 3; ++a) {
    auto& list = axis_voxels[static_cast<std::size_t>(a)];
    const int n = grid.extent(a);
    const double ca = c[static_cast<std::size_t>(a)];
    if (a >= grid.dimension()) {
      list.emplace_back(0, 0.0);
      continue;
    }
    const int cv = std::min(static_cast<int>(std::floor(ca)), n - 1);
    centre_voxel[static_cast<std::size_t>(a)] = cv;
    const long lo = static_cast<long>(std::floor(ca - 0.5 - r));
    const long hi = static_cast<long>(std::ceil(ca - 0.5 + r));
    if (hi - lo + 1 > n) {
      // The ball is wider than the box along this axis: every coordinate once, minimum image.
      for (int x = 0; x < n; ++x) {
        double delta = x + 0.5 - ca;
        delta -= n * std::floor(delta / n + 0.5);
        if (std::abs(delta) <= r || x == cv) list.emplace_back(x, delta);
      }
    } else {
      for (long x = lo; x <= hi; ++x) {
        const int wrapped = static_cast<int>(((x % n) + n) % n);
        const double delta = static_cast<double>(x) + 0.5 - ca;
        if (std::abs(delta) <= r || wrapped == cv) list.emplace_back(wrapped, delta);
      }
    }
  }
  const double r2 = r * r;
  for (const auto& [x, dx] : axis_voxels[0])
    for (const auto& [y, dy] : axis_voxels[1])
      for (const auto& [z, dz] : axis_voxels[2]) {
        const double d2 = dx * dx + dy * dy + dz * dz;
        const bool holds_centre = x == centre_voxel[0] && y == centre_voxel[1] &&
                                  (grid.dimension() == 2 || z == centre_voxel[2]);
        if (d2 <= r2 || holds_centre) out.push_back({d2, grid.index(x, y, z)});
      }
}

std::string composition_text(const std::vector<MroComponent>& composition) {
  std::string text = "{";
  for (std::size_t k = 0; k < composition.size(); ++k) {
    if (k > 0) text += ", ";
    text +=
        "type " + std::to_string(composition[k].type) + ": " + to_display(composition[k].weight);
  }
  return text + "}";
}

int smallest_extent(const Grid& grid) {
  int smallest = grid.extent(0);
  for (int a = 1; a < grid.dimension(); ++a) smallest = std::min(smallest, grid.extent(a));
  return smallest;
}

}  // namespace

void SyntheticMroParams::validate(const Grid& grid) const {
  if (!(fraction >= 0.0 && fraction < 1.0))
    throw ConfigError("mro.fraction", to_display(fraction), "a voxel fraction in [0, 1)");
  if (!(diameter_mean_nm > 0.0) || !std::isfinite(diameter_mean_nm))
    throw ConfigError("mro.diameter_nm.mean", to_display(diameter_mean_nm),
                      "a finite diameter in nm, > 0");
  if (!(diameter_sd_nm >= 0.0) || !std::isfinite(diameter_sd_nm))
    throw ConfigError("mro.diameter_nm.sd", to_display(diameter_sd_nm),
                      "a finite standard deviation in nm, >= 0");
  double weight_sum = 0.0;
  for (std::size_t k = 0; k < composition.size(); ++k) {
    const MroComponent& c = composition[k];
    if (c.type <= kMatrixType || c.type > kMaxTypeIndex)
      throw ConfigError(
          "mro.composition", composition_text(composition),
          "MRO type indices in [1, " + std::to_string(kMaxTypeIndex) + "] (type 0 is the matrix)");
    if (!(c.weight >= 0.0) || !std::isfinite(c.weight))
      throw ConfigError("mro.composition", composition_text(composition), "finite weights >= 0");
    for (std::size_t j = 0; j < k; ++j)
      if (composition[j].type == c.type)
        throw ConfigError("mro.composition", composition_text(composition),
                          "each MRO type at most once");
    weight_sum += c.weight;
  }
  if (!composition.empty() && !(weight_sum > 0.0))
    throw ConfigError("mro.composition", composition_text(composition),
                      "weights with a positive sum");
  if (fraction == 0.0) return;
  if (composition.empty())
    throw ConfigError("mro.composition", "{}",
                      "at least one MRO type with a positive weight when mro.fraction > 0");
  const double a = grid.voxel_nm();
  const int extent = smallest_extent(grid);
  if (diameter_mean_nm > extent * a)
    throw ConfigError("mro.diameter_nm.mean", to_display(diameter_mean_nm) + " nm",
                      "grid too small for the MRO diameters: the mean diameter must not exceed "
                      "the smallest box extent (" +
                          to_display(extent * a) + " nm = " + std::to_string(extent) +
                          " voxels of " + to_display(a) + " nm)");
  if (diameter_mean_nm + 3.0 * diameter_sd_nm < a)
    throw ConfigError(
        "mro.diameter_nm.mean",
        to_display(diameter_mean_nm) + " nm (sd " + to_display(diameter_sd_nm) + " nm)",
        "mean + 3 sd >= one voxel edge (" + to_display(a) +
            " nm): diameters below one voxel are redrawn");
}

MroMixing parse_mro_mixing(const std::string& text, const std::string& key) {
  if (text == "per_domain") return MroMixing::per_domain;
  if (text == "per_voxel") return MroMixing::per_voxel;
  throw ConfigError(key, text, "one of per_domain, per_voxel");
}

const char* to_string(MroMixing mixing) {
  return mixing == MroMixing::per_domain ? "per_domain" : "per_voxel";
}

StructureMap make_synthetic_mro_map(const Grid& grid, const SyntheticMroParams& params,
                                    std::uint64_t seed) {
  params.validate(grid);
  StructureMap map = make_matrix_structure(grid);
  const std::size_t n = grid.size();
  const auto target =
      static_cast<std::size_t>(std::llround(params.fraction * static_cast<double>(n)));
  if (target == 0) return map;

  std::vector<double> cumulative;
  double total_weight = 0.0;
  for (const MroComponent& c : params.composition) {
    total_weight += c.weight;
    cumulative.push_back(total_weight);
  }
  std::size_t last_positive = 0;
  for (std::size_t k = 0; k < params.composition.size(); ++k)
    if (params.composition[k].weight > 0.0) last_positive = k;

  const double a = grid.voxel_nm();
  Rng rng(seed, RngPurpose::mro_map);
  std::vector<BallVoxel> ball;
  std::vector<BallVoxel> free_voxels;
  std::size_t filled = 0;
  // Every free voxel is hit by a draw with probability >= 1/N (the centre voxel is always
  // taken), so this bound is only a guard against a broken invariant.
  const std::size_t max_attempts = 1000 * n + 100000;
  for (std::size_t attempt = 0; filled < target; ++attempt) {
    if (attempt == max_attempts)
      throw NumericalError("synthetic MRO map: placed " + std::to_string(filled) + " of " +
                           std::to_string(target) + " MRO voxels after " + std::to_string(attempt) +
                           " domains");
    double diameter;
    do {
      diameter = params.diameter_mean_nm + params.diameter_sd_nm * standard_normal(rng);
    } while (diameter < a);
    std::array<double, 3> centre{0.0, 0.0, 0.5};
    for (int ax = 0; ax < grid.dimension(); ++ax)
      centre[static_cast<std::size_t>(ax)] = uniform01(rng) * grid.extent(ax);
    const std::size_t pick = pick_component(params.composition, cumulative, last_positive,
                                            uniform01(rng) * total_weight);
    MroDomain domain;
    domain.type = params.composition[pick].type;
    domain.diameter_nm = diameter;
    for (std::size_t ax = 0; ax < 3; ++ax) domain.centre_nm[ax] = centre[ax] * a;
    if (grid.dimension() == 2) {
      domain.angle_rad = units::pi * uniform01(rng);
      domain.rotation = rotation_about_z(domain.angle_rad);
    } else {
      domain.rotation = random_rotation(rng);
    }

    collect_ball(grid, centre, 0.5 * diameter / a, ball);
    free_voxels.clear();
    for (const BallVoxel& v : ball)
      if (map.domain_id[v.index] == kMatrixDomain) free_voxels.push_back(v);
    if (free_voxels.empty()) continue;
    if (filled + free_voxels.size() > target) {
      std::sort(free_voxels.begin(), free_voxels.end(), [](const BallVoxel& l, const BallVoxel& r) {
        return l.distance2 < r.distance2 || (l.distance2 == r.distance2 && l.index < r.index);
      });
      free_voxels.resize(target - filled);
    }
    const auto id = static_cast<std::int32_t>(map.domains.size());
    for (const BallVoxel& v : free_voxels) {
      map.domain_id[v.index] = id;
      map.type[v.index] = static_cast<std::int16_t>(domain.type);
    }
    domain.voxel_count = free_voxels.size();
    filled += free_voxels.size();
    map.domains.push_back(domain);
  }
  if (params.mixing == MroMixing::per_voxel) {
    // Its own stream: the placement above is exactly that of per_domain mixing.
    Rng voxel_rng(seed, RngPurpose::mro_map, 1);
    for (std::size_t i = 0; i < n; ++i)
      if (map.domain_id[i] != kMatrixDomain)
        map.type[i] = static_cast<std::int16_t>(
            params
                .composition[pick_component(params.composition, cumulative, last_positive,
                                            uniform01(voxel_rng) * total_weight)]
                .type);
    map.mixed_types = true;
  }
  return map;
}

std::vector<std::size_t> ball_voxels(const Grid& grid, const std::array<double, 3>& centre_nm,
                                     double diameter_nm) {
  STZ_REQUIRE(diameter_nm >= 0.0 && std::isfinite(diameter_nm), "diameter_nm = ", diameter_nm);
  for (double c : centre_nm) STZ_REQUIRE(std::isfinite(c), "centre coordinate ", c);
  const double a = grid.voxel_nm();
  std::array<double, 3> centre{0.0, 0.0, 0.5};
  for (int ax = 0; ax < grid.dimension(); ++ax) {
    const double n = grid.extent(ax);
    double c = centre_nm[static_cast<std::size_t>(ax)] / a;
    c -= n * std::floor(c / n);
    centre[static_cast<std::size_t>(ax)] = c < n ? c : 0.0;
  }
  std::vector<BallVoxel> ball;
  collect_ball(grid, centre, 0.5 * diameter_nm / a, ball);
  std::vector<std::size_t> indices;
  indices.reserve(ball.size());
  for (const BallVoxel& v : ball) indices.push_back(v.index);
  std::sort(indices.begin(), indices.end());
  return indices;
}

}  // namespace stz
