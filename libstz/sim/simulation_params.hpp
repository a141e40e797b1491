// Parameters of one simulation run, grouped as the YAML config is (SPEC 5). Plain structs with
// defaults and units in the names; validate() names the dotted config key of any bad value.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "libstz/grid/grid.hpp"
#include "libstz/kmc/rate_selector.hpp"
#include "libstz/loading/mean_field_loading.hpp"
#include "libstz/model/model_params.hpp"
#include "libstz/sim/far_field_count.hpp"
#include "libstz/structure/synthetic_mro_map.hpp"

namespace stz {

struct GridParams {
  /// 2 entries: 2D plane strain nx×ny; 3 entries: 3D. (`grid.shape`)
  std::vector<int> shape{256, 128};
  /// Voxel edge a, nm (`grid.voxel_nm`).
  double voxel_nm = 1.0;
  void validate() const;
  /// The grid (throws ConfigError on bad extents or voxel size).
  Grid make() const;
};

struct MaterialParams {
  double youngs_GPa = 92.1;  ///< Young's modulus (Vitreloy 1)
  double poisson = 0.387;    ///< Poisson ratio
  void validate() const;
  // temperature_K lives in ModelParams (the rates need it); the config key is
  // material.temperature_K.
};

struct LoadingParams {
  LoadingMode mode = LoadingMode::tension;
  /// Loaded axis; −1 = the last grid axis (y in 2D, z in 3D).
  int axis = -1;
  double strain_rate_per_s = 1.0e-4;
  /// The run stops at this control strain (engineering strain; engineering shear for shear).
  double max_strain = 0.10;
  void validate() const;
};

/// The kMC engines (docs/kmc.md): `fast` (exact thinning with block rate bounds) or
/// `reference` (every rate recomputed after every event, capped steps; the oracle).
enum class EngineKind { fast, reference };
EngineKind parse_engine_kind(const std::string& text, const std::string& key = "kmc.engine");
const char* to_string(EngineKind kind);

/// How events are selected and time advances (SPEC 3.7, 6).
struct KmcParams {
  EngineKind engine = EngineKind::fast;
  /// Selector of the reference engine: sum_tree (fast) or linear (the oracle).
  SelectorKind selector = SelectorKind::sum_tree;
  /// Cap per step: the mean-stress rise may change ½Ω σ:ε* of any mode by at most this
  /// fraction of k_BT; longer drawn waiting times become null (loading-only) steps.
  double max_step_kT_fraction = 0.1;
  /// Events between full FFT re-solves that measure and reset the kernel-superposition drift
  /// (fast engine: that also empties its log of deferred kernels and rebuilds every bound).
  std::int64_t resolve_every_events = 2000;
  /// Largest accepted relative drift (max |Δσ| / max |σ_fluct|) at a re-solve.
  double drift_tolerance = 1.0e-8;
  /// Largest number of athermal events in one avalanche, per voxel (guards against a loop).
  double max_avalanche_per_voxel = 20.0;
  /// Largest number of events in a run, per voxel: a run whose barriers are far too low for the
  /// temperature would otherwise take ~forever (the default run needs ~10 per voxel).
  double max_events_per_voxel = 1.0e4;
  /// Fast engine: edge of a block of sites, voxels; 0 = automatic (2D 4, 3D 4).
  int block_voxels = 0;
  /// Fast engine: an event's kernel is applied at once, exactly, to the sites within this
  /// distance (voxels) of it; farther sites get it deferred (bounded); 0 = automatic
  /// (2D 7.5, 3D 5.5).
  double near_field_voxels = 0.0;
  /// Fast engine: radius of the mean-stress ball of a horizon, as the work it can do on a mode
  /// in units of k_BT (every rate bound carries exp(horizon_kT)).
  double horizon_kT = 0.5;
  /// Tuning only (no config keys; docs/kmc.md): the fast engine's budget policy.
  double initial_share = 0.3, raise_share = 4.0, min_budget_kT = 1.5, max_budget_kT = 40.0,
         rebuild_replays = 2.0;
  /// Tests only (no config key): scales the fast engine's far-field bound; < 1 breaks it.
  double bound_scale_for_tests = 1.0;
  /// Tests and benchmarks only (no config key): how the fast engine counts deferred events.
  FarFieldCount far_field_for_tests = FarFieldCount::net;
  /// Tests only (no config key): false drops the deferred far field from the fast engine's
  /// squeeze bound, which breaks it (a negative control).
  bool squeeze_counts_far_field_for_tests = true;
  /// The block edge the fast engine uses for a grid of this dimension (resolves 0).
  int resolved_block_voxels(int dimension) const;
  /// The near-field radius the fast engine uses for a grid of this dimension (resolves 0).
  double resolved_near_field_voxels(int dimension) const;
  void validate() const;
};

/// What the CFV threshold compares (`cfv.measure`, docs/model.md).
enum class CfvMeasure {
  absolute,  ///< ξp >= threshold
  relative,  ///< ξp / (permanent_max × softening_scale of the voxel's type) >= threshold
};
CfvMeasure parse_cfv_measure(const std::string& text, const std::string& key);
const char* to_string(CfvMeasure measure);

/// When the largest CFV cluster counts as percolated (`cfv.percolation`, docs/analysis.md).
enum class PercolationCriterion {
  crosses,  ///< it occupies every voxel layer along some axis (runs face to face)
  wraps,    ///< it connects to its own periodic image (closes on the torus)
};
PercolationCriterion parse_percolation_criterion(const std::string& text, const std::string& key);
const char* to_string(PercolationCriterion criterion);

struct CfvParams {
  /// Permanent free volume ξp at or above which a voxel counts as CFV (measure absolute), or the
  /// fraction of its type's capacity (measure relative).
  double threshold = 0.1;
  CfvMeasure measure = CfvMeasure::absolute;
  /// Threshold strain: centred moving-average window (points, odd) on the resampled series.
  int smoothing_window = 5;
  /// Threshold strain: uniform resampling points of the largest-CFV series (0 = automatic:
  /// the median spacing of the recorded series).
  std::int64_t resample_points = 0;
  /// Smallest largest-cluster volume (nm³, voxels × voxel volume) that counts as percolation
  /// when the cluster spans the box; 0: any spanning cluster.
  double min_percolation_nm3 = 0.0;
  PercolationCriterion percolation = PercolationCriterion::crosses;
  void validate() const;
};

struct OutputParams {
  /// Series sampling interval in control strain (`output.stats_every_strain`).
  double stats_every_strain = 1.0e-4;
  /// Control strains of field snapshots (a final snapshot is always written).
  std::vector<double> snapshots_at_strain{0.03, 0.05};
  /// Snapshot fields (SPEC 5 names).
  std::vector<std::string> fields{"von_mises_plastic", "von_mises_total", "free_volume",
                                  "cfv_largest",       "stz_type",        "domain_id"};
  /// Wall seconds between checkpoints (`output.checkpoint_every_s`); 0: none, not even at a
  /// stop request or the end (io/checkpoint.hpp).
  double checkpoint_every_s = 300.0;
  void validate(double max_strain) const;
};

/// Everything a run needs.
struct SimulationParams {
  std::uint64_t seed = 1;
  GridParams grid;
  MaterialParams material;
  LoadingParams loading;
  ModelParams model;
  SyntheticMroParams mro{0.0, {}, 1.25, 0.3};
  CfvParams cfv;
  KmcParams kmc;
  OutputParams output;
  void validate() const;
};

/// The snapshot field names libstz can write.
const std::vector<std::string>& available_snapshot_fields();

}  // namespace stz
