#include "libstz/sim/simulation_params.hpp"

#include <algorithm>
#include <cmath>

#include "libstz/core/error.hpp"
#include "libstz/grid/grid.hpp"
#include "libstz/model/stz_model.hpp"

namespace stz {
namespace {
void require(bool ok, const std::string& key, double value, const std::string& allowed) {
  if (!ok) throw ConfigError(key, to_display(value), allowed);
}
}  // namespace

const std::vector<std::string>& available_snapshot_fields() {
  static const std::vector<std::string> names{"von_mises_plastic", "von_mises_total", "free_volume",
                                              "cfv_largest",       "stz_type",        "domain_id",
                                              "stress_GPa",        "plastic_strain"};
  return names;
}

void GridParams::validate() const {
  if (shape.size() != 2 && shape.size() != 3)
    throw ConfigError("grid.shape", std::to_string(shape.size()) + " entries",
                      "2 entries (2D plane strain) or 3 (3D)");
  make();
}

Grid GridParams::make() const {
  if (shape.size() != 2 && shape.size() != 3)
    throw ConfigError("grid.shape", std::to_string(shape.size()) + " entries",
                      "2 entries (2D plane strain) or 3 (3D)");
  const int d = static_cast<int>(shape.size());
  return Grid(d == 2 ? std::array<int, 3>{shape[0], shape[1], 1}
                     : std::array<int, 3>{shape[0], shape[1], shape[2]},
              d, voxel_nm);
}

void MaterialParams::validate() const {
  require(std::isfinite(youngs_GPa) && youngs_GPa > 0 && youngs_GPa <= 1e4, "material.youngs_GPa",
          youngs_GPa, "a modulus in (0, 1e4] GPa");
  require(std::isfinite(poisson) && poisson > -1 && poisson < 0.5, "material.poisson", poisson,
          "a ratio in (-1, 0.5)");
}

void LoadingParams::validate() const {
  require(std::isfinite(strain_rate_per_s) && strain_rate_per_s > 0 && strain_rate_per_s <= 1e12,
          "loading.strain_rate_per_s", strain_rate_per_s, "a rate in (0, 1e12] 1/s");
  require(std::isfinite(max_strain) && max_strain > 0 && max_strain <= 2, "loading.max_strain",
          max_strain, "a strain in (0, 2]");
  if (mode == LoadingMode::compression)
    require(max_strain < 1, "loading.max_strain", max_strain, "below 1 in compression");
  require(axis >= -1 && axis <= 2, "loading.axis", axis, "-1 (last grid axis), 0, 1 or 2");
}

EngineKind parse_engine_kind(const std::string& text, const std::string& key) {
  if (text == "fast") return EngineKind::fast;
  if (text == "reference") return EngineKind::reference;
  throw ConfigError(key, text, "one of fast, reference");
}

const char* to_string(EngineKind kind) {
  return kind == EngineKind::fast ? "fast" : "reference";
}

int KmcParams::resolved_block_voxels(int /*dimension*/) const {
  return block_voxels > 0 ? block_voxels : 4;
}

double KmcParams::resolved_near_field_voxels(int dimension) const {
  // Measured (docs/performance.md): in 3D a ball of ~700 sites beats the 12³ sites of the 3³
  // blocks around an event; in 2D the disc must hold ~180 sites to match 3×3 blocks of 4².
  if (near_field_voxels > 0) return near_field_voxels;
  return dimension == 3 ? 5.5 : 7.5;
}

void KmcParams::validate() const {
  require(
      std::isfinite(max_step_kT_fraction) && max_step_kT_fraction > 0 && max_step_kT_fraction <= 10,
      "kmc.max_step_kT_fraction", max_step_kT_fraction, "a fraction in (0, 10]");
  require(resolve_every_events >= 1, "kmc.resolve_every_events",
          static_cast<double>(resolve_every_events), "an integer >= 1");
  require(std::isfinite(drift_tolerance) && drift_tolerance > 0 && drift_tolerance < 1,
          "kmc.drift_tolerance", drift_tolerance, "a relative tolerance in (0, 1)");
  require(std::isfinite(max_avalanche_per_voxel) && max_avalanche_per_voxel > 0,
          "kmc.max_avalanche_per_voxel", max_avalanche_per_voxel, "a positive number");
  require(std::isfinite(max_events_per_voxel) && max_events_per_voxel > 0,
          "kmc.max_events_per_voxel", max_events_per_voxel, "a positive number");
  require(block_voxels >= 0 && block_voxels <= 64, "kmc.block_voxels", block_voxels,
          "0 (automatic) or a block edge in [1, 64] voxels");
  require(near_field_voxels == 0 || (near_field_voxels >= 1 && near_field_voxels <= 16),
          "kmc.near_field_voxels", near_field_voxels,
          "0 (automatic) or a radius in [1, 16] voxels");
  require(std::isfinite(horizon_kT) && horizon_kT > 0 && horizon_kT <= 10, "kmc.horizon_kT",
          horizon_kT, "a work in (0, 10] k_BT");
  require(std::isfinite(bound_scale_for_tests) && bound_scale_for_tests > 0,
          "kmc.bound_scale_for_tests", bound_scale_for_tests, "a positive factor");
}

CfvMeasure parse_cfv_measure(const std::string& text, const std::string& key) {
  if (text == "absolute") return CfvMeasure::absolute;
  if (text == "relative") return CfvMeasure::relative;
  throw ConfigError(key, text, "one of absolute, relative");
}

const char* to_string(CfvMeasure measure) {
  return measure == CfvMeasure::absolute ? "absolute" : "relative";
}

PercolationCriterion parse_percolation_criterion(const std::string& text, const std::string& key) {
  if (text == "crosses") return PercolationCriterion::crosses;
  if (text == "wraps") return PercolationCriterion::wraps;
  throw ConfigError(key, text, "one of crosses, wraps");
}

const char* to_string(PercolationCriterion criterion) {
  return criterion == PercolationCriterion::crosses ? "crosses" : "wraps";
}

void CfvParams::validate() const {
  require(std::isfinite(threshold) && threshold > 0 && threshold <= 1, "cfv.threshold", threshold,
          "a free-volume fraction in (0, 1]");
  require(smoothing_window >= 1 && smoothing_window % 2 == 1 && smoothing_window <= 1001,
          "cfv.smoothing_window", smoothing_window, "an odd number of points in [1, 1001]");
  require(resample_points == 0 || (resample_points >= 3 && resample_points <= 10000000),
          "cfv.resample_points", static_cast<double>(resample_points),
          "0 (automatic) or a point count in [3, 1e7]");
  require(std::isfinite(min_percolation_nm3) && min_percolation_nm3 >= 0, "cfv.min_percolation_nm3",
          min_percolation_nm3, "a volume >= 0 nm^3");
}

void OutputParams::validate(double max_strain) const {
  require(std::isfinite(stats_every_strain) && stats_every_strain > 0 &&
              stats_every_strain <= max_strain,
          "output.stats_every_strain", stats_every_strain,
          "a strain interval in (0, loading.max_strain]");
  require(max_strain / stats_every_strain <= 1e7, "output.stats_every_strain", stats_every_strain,
          "at most 1e7 series points (loading.max_strain / output.stats_every_strain)");
  for (double s : snapshots_at_strain)
    require(std::isfinite(s) && s >= 0 && s <= max_strain, "output.snapshots_at_strain", s,
            "strains in [0, loading.max_strain = " + to_display(max_strain) + "]");
  require(std::isfinite(checkpoint_every_s) && checkpoint_every_s >= 0, "output.checkpoint_every_s",
          checkpoint_every_s, "wall seconds >= 0 (0: no checkpoints)");
  const auto& names = available_snapshot_fields();
  for (const auto& f : fields)
    if (std::find(names.begin(), names.end(), f) == names.end()) {
      std::string allowed = "one of";
      for (const auto& n : names) allowed += " " + n;
      throw ConfigError("output.fields", f, allowed);
    }
}

void SimulationParams::validate() const {
  grid.validate();
  material.validate();
  loading.validate();
  if (loading.axis >= static_cast<int>(grid.shape.size()))
    throw ConfigError("loading.axis", std::to_string(loading.axis),
                      "an axis of the grid (0.." + std::to_string(grid.shape.size() - 1) + ")");
  model.validate();
  make_stz_cluster(grid.make(), model.cluster);  // the cluster must fit the box
  cfv.validate();
  if (cfv.measure == CfvMeasure::relative && !(model.free_volume.permanent_max > 0))
    throw ConfigError("cfv.measure", "relative",
                      "absolute when free_volume.permanent_max = 0 (no capacity to compare with)");
  kmc.validate();
  output.validate(loading.max_strain);
}

}  // namespace stz
