#include "libstz/model/model_params.hpp"

#include <cmath>

#include "libstz/catalog/shear_catalog.hpp"
#include "libstz/core/error.hpp"

namespace stz {
namespace {
void require(bool ok, const std::string& key, double value, const std::string& allowed) {
  if (!ok) throw ConfigError(key, to_display(value), allowed);
}
}  // namespace

OrientationPolicy parse_orientation_policy(const std::string& text, const std::string& key) {
  if (text == "per_site") return OrientationPolicy::per_site;
  if (text == "per_domain") return OrientationPolicy::per_domain;
  throw ConfigError(key, text, "one of per_site, per_domain");
}

const char* to_string(OrientationPolicy policy) {
  return policy == OrientationPolicy::per_site ? "per_site" : "per_domain";
}

ClusterShape parse_cluster_shape(const std::string& text, const std::string& key) {
  if (text == "voxel") return ClusterShape::voxel;
  if (text == "sphere") return ClusterShape::sphere;
  if (text == "cube") return ClusterShape::cube;
  throw ConfigError(key, text, "one of voxel, sphere, cube");
}

const char* to_string(ClusterShape shape) {
  switch (shape) {
    case ClusterShape::sphere:
      return "sphere";
    case ClusterShape::cube:
      return "cube";
    default:
      return "voxel";
  }
}

AttemptScaling parse_attempt_scaling(const std::string& text, const std::string& key) {
  if (text == "per_volume") return AttemptScaling::per_volume;
  if (text == "per_site") return AttemptScaling::per_site;
  throw ConfigError(key, text, "one of per_volume, per_site");
}

const char* to_string(AttemptScaling scaling) {
  return scaling == AttemptScaling::per_volume ? "per_volume" : "per_site";
}

BarrierDisorder parse_barrier_disorder(const std::string& text, const std::string& key) {
  if (text == "per_site") return BarrierDisorder::per_site;
  if (text == "per_voxel") return BarrierDisorder::per_voxel;
  throw ConfigError(key, text, "one of per_site, per_voxel");
}

const char* to_string(BarrierDisorder disorder) {
  return disorder == BarrierDisorder::per_site ? "per_site" : "per_voxel";
}

void StzClusterParams::validate() const {
  const std::string p = "stz.cluster.";
  require(std::isfinite(radius_nm) && radius_nm >= 0.0 && radius_nm <= 1e3, p + "radius_nm",
          radius_nm, "a radius in [0, 1000] nm");
  if (shape == ClusterShape::sphere && !(radius_nm > 0.0))
    throw ConfigError(p + "radius_nm", to_display(radius_nm),
                      "a radius > 0 nm (stz.cluster.shape is sphere)");
  if (edge_voxels < 1 || edge_voxels > 64)
    throw ConfigError(p + "edge_voxels", std::to_string(edge_voxels),
                      "an integer edge in [1, 64] voxels");
  require(std::isfinite(thickness_nm) && thickness_nm >= 0.0 && thickness_nm <= 1e3,
          p + "thickness_nm", thickness_nm, "0 (one voxel edge) or a thickness in (0, 1000] nm");
}

int StzTypeParams::resolved_modes() const {
  return modes > 0 ? modes : default_mode_count(order, "types." + name + ".order");
}

void StzTypeParams::validate() const {
  const std::string p = "types." + name + ".";
  require(std::isfinite(order) && order >= 1.0 && order <= 1e3, p + "order", order,
          "a degree of order in [1, 1000]");
  if (modes != 0) validate_mode_count(modes, p + "modes");
  require(std::isfinite(barrier_eV) && barrier_eV > 0.0 && barrier_eV <= 100.0, p + "barrier_eV",
          barrier_eV, "an energy in (0, 100] eV");
  require(std::isfinite(barrier_spread) && barrier_spread >= 0.0 && barrier_spread < 1.0,
          p + "barrier_spread", barrier_spread, "a relative spread in [0, 1)");
  require(std::isfinite(softening_scale) && softening_scale >= 0.0 && softening_scale <= 100.0,
          p + "softening_scale", softening_scale, "0 (= 1/order) or a factor in (0, 100]");
}

void FreeVolumeParams::validate() const {
  const std::string p = "free_volume.";
  require(
      std::isfinite(permanent_per_event) && permanent_per_event >= 0 && permanent_per_event <= 1,
      p + "permanent_per_event", permanent_per_event, "a fraction in [0, 1]");
  require(
      std::isfinite(transient_per_event) && transient_per_event >= 0 && transient_per_event <= 1,
      p + "transient_per_event", transient_per_event, "a fraction in [0, 1]");
  require(std::isfinite(permanent_max) && permanent_max >= 0 && permanent_max <= 1,
          p + "permanent_max", permanent_max, "a fraction in [0, 1]");
  require(std::isfinite(annealing_barrier_eV) && annealing_barrier_eV > 0 &&
              annealing_barrier_eV <= 100,
          p + "annealing_barrier_eV", annealing_barrier_eV, "an energy in (0, 100] eV");
  require(std::isfinite(softening_coefficient) && softening_coefficient >= 0 &&
              softening_coefficient <= 100,
          p + "softening_coefficient", softening_coefficient, "a coefficient in [0, 100]");
  require(std::isfinite(max_barrier_drop) && max_barrier_drop >= 0 && max_barrier_drop < 1,
          p + "max_barrier_drop", max_barrier_drop, "a fraction in [0, 1)");
}

void ModelParams::validate() const {
  validate_gamma0(gamma0, "stz.gamma0");
  validate_dilatation(dilatation, "stz.dilatation");
  require(std::isfinite(attempt_frequency_per_s) && attempt_frequency_per_s > 0 &&
              attempt_frequency_per_s <= 1e18,
          "stz.attempt_frequency_per_s", attempt_frequency_per_s, "a frequency in (0, 1e18] 1/s");
  require(std::isfinite(temperature_K) && temperature_K > 0 && temperature_K <= 5000,
          "material.temperature_K", temperature_K, "a temperature in (0, 5000] K");
  require(
      std::isfinite(residual_strain_std) && residual_strain_std >= 0 && residual_strain_std <= 10,
      "stz.residual_strain_std", residual_strain_std, "a fraction of gamma0 in [0, 10]");
  free_volume.validate();
  cluster.validate();
  if (types.empty() || types[0].name != "matrix")
    throw ConfigError("types", types.empty() ? "(none)" : types[0].name,
                      "the first type must be `matrix`");
  for (const auto& t : types) t.validate();
}

}  // namespace stz
