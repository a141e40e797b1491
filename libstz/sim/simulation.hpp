// One STZ-dynamics run (SPEC 3.7): the one place that wires grid, elasticity, loading, model and
// the kMC engine together, owns the evolving state (model, eigenstrain, time, counters), applies
// events and calls observers. Which event comes next is the engine's business (kmc_engine.hpp:
// `fast`, exact thinning with block rate bounds, or `reference`, the full-sweep oracle); the
// loop reads: ask the engine for the next event before the next output point, advance the
// clock, fire it (athermal events with zero elapsed time, counted as avalanches), tell the
// engine. Observers see exact fields: stress() and total_strain() are fresh FFT solves.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "libstz/analysis/cfv_clusters.hpp"
#include "libstz/elasticity/fft_elastic_solver.hpp"
#include "libstz/loading/mean_field_loading.hpp"
#include "libstz/model/stz_model.hpp"
#include "libstz/sim/kmc_engine.hpp"
#include "libstz/sim/simulation_params.hpp"

namespace stz {

/// One row of the stress–strain series (SPEC 3.9).
struct SeriesPoint {
  double time_s = 0;
  double strain_eng = 0;   ///< control strain (engineering)
  double strain_true = 0;  ///< ln(1 + ε) in tension, −ln(1 − ε) in compression, γ in shear
  double stress_GPa = 0;   ///< reported mean stress (axial, or shear)
  double plastic_strain = 0;  ///< reported mean plastic eigenstrain
  std::int64_t events = 0;
  std::int64_t athermal_events = 0;
  std::int64_t null_steps = 0;  ///< engine null events (reference: capped steps; fast: rejections)
  double free_volume_mean = 0;  ///< mean ξp + ξt
  double cfv_max_nm3 = 0;       ///< largest CFV cluster, voxel volume
  double cfv_max_free_volume_nm3 = 0;  ///< largest CFV cluster, summed free volume
  bool cfv_spanning = false;           ///< largest cluster wraps the periodic box
  bool cfv_crossing = false;           ///< largest cluster occupies every layer along an axis
};

/// Called by Simulation::run at every series point and snapshot strain.
class SimulationObserver {
 public:
  virtual ~SimulationObserver() = default;
  virtual void on_series(const class Simulation&, const SeriesPoint&) {}
  /// index counts snapshots from 0; is_final marks the snapshot at the end of the run.
  virtual void on_snapshot(const class Simulation&, int /*index*/, bool /*is_final*/) {}
  /// After every kMC step of Simulation::run (cheap checks only, e.g. an interrupt request;
  /// an exception thrown here ends the run).
  virtual void on_step(const class Simulation&) {}
  /// Called every few hundred steps between series points (cheap; for wall-time progress).
  virtual void on_heartbeat(const class Simulation&) {}
  /// Called by Simulation::run between steps, once every output of the previous step has been
  /// delivered: the one kind of point at which a checkpoint is exact (a run restored from it
  /// continues as this one does). `stopping`: the run ends here on a stop request, or because
  /// max_strain is reached (the final snapshot follows). Must be cheap when it does nothing.
  virtual void on_consistent_state(const class Simulation&, bool /*stopping*/) {}
};

class Simulation {
 public:
  /// Builds the state: structure map (synthetic from params.mro unless given), model, kernels.
  explicit Simulation(const SimulationParams& params);
  Simulation(const SimulationParams& params, const StructureMap& structure);

  /// Runs until loading.max_strain, calling the observers. Ends early, after the current event,
  /// when a stop is requested (core/stop_request.hpp): stopped() then says so.
  void run(const std::vector<SimulationObserver*>& observers = {});
  /// True when the last run() ended on a stop request before max_strain.
  bool stopped() const { return m_stopped; }
  /// One kMC step (an event, an athermal event or a null step). Returns false at max_strain.
  bool step();

  // State.
  const SimulationParams& params() const { return m_params; }
  const Grid& grid() const { return m_grid; }
  const StzModel& model() const { return m_model; }
  const StructureMap& structure() const { return m_structure; }
  const MeanFieldLoading& loading() const { return m_loading; }
  double time_s() const { return m_time_s; }
  double control_strain() const { return m_params.loading.strain_rate_per_s * m_time_s; }
  std::int64_t events() const { return m_events; }
  std::int64_t athermal_events() const { return m_athermal_events; }
  /// Sizes of completed athermal avalanches, in order.
  const std::vector<std::int64_t>& avalanche_sizes() const { return m_avalanches; }
  /// Saved state of the event-selection random stream (exact restart point).
  std::string kmc_rng_state() const { return m_kmc_rng.save_state(); }
  /// Largest relative drift seen at a re-solve.
  double max_drift() const { return m_engine->stats().max_drift; }
  /// The kMC engine (for diagnostics and tests).
  const KmcEngine& engine() const { return *m_engine; }
  /// What the engine sees of the current state.
  EngineContext engine_context() const;

  // --- Checkpoint/restart (SPEC 4.8) ---

  /// Saves the whole evolving state: eigenstrain, time, counters, avalanches, the kMC random
  /// stream, where run() stands among its output points, the model's and the engine's state.
  /// Exact when called between steps (from on_consistent_state, or outside run()).
  void save_state(StateWriter& out) const;
  /// Restores a state saved by a simulation built from the same params and structure map; the
  /// next run() continues the saved one (no repeated series point or snapshot).
  void load_state(const StateReader& in);

  /// The current series point (computes CFV and mean free volume).
  SeriesPoint series_point() const;
  /// Mean state (strain, stress) now.
  MeanState mean_state() const;
  /// Accumulated plastic eigenstrain (tensor shears), residual excluded.
  TensorField plastic_strain() const;
  /// Total stress σ = ⟨σ⟩ + fluctuation (GPa), from a fresh FFT solve of the eigenstrain.
  TensorField stress() const;
  /// Total eigenstrain (residual + plastic), tensor shears.
  const TensorField& eigenstrain() const { return m_eigenstrain; }
  /// Total strain E + ε_fluct (one FFT solve).
  TensorField total_strain() const;
  /// CFV clusters of the permanent free volume now.
  CfvClusters cfv_clusters() const;

 private:
  void fire(std::size_t site, int mode);
  double next_output_strain() const;

  /// Where run() stands among its output points (saved in checkpoints).
  struct RunProgress {
    bool active = false;  ///< inside run(), or restored from a checkpoint taken there
    std::int64_t last_stats = 0;     ///< index of the last series interval emitted
    std::int64_t next_snapshot = 0;  ///< first snapshot strain not yet reached
    std::int64_t snapshot_index = 0;
    bool emitted = true;  ///< the last series point is the current state
  };

  SimulationParams m_params;
  Grid m_grid;
  StructureMap m_structure;
  StzModel m_model;
  FftElasticSolver m_solver;
  MeanFieldLoading m_loading;
  Rng m_kmc_rng;

  TensorField m_eigenstrain;      ///< total eigenstrain (residual + plastic)
  TensorField m_residual;         ///< quenched-in residual eigenstrain (zero mean)
  SymTensor m_eigenstrain_sum{};  ///< Σ_i ε*_i, updated per event (serial order)
  std::unique_ptr<KmcEngine> m_engine;

  double m_time_s = 0;
  std::int64_t m_events = 0, m_athermal_events = 0;
  std::int64_t m_events_since_sum = 0;
  std::int64_t m_current_avalanche = 0;
  std::vector<std::int64_t> m_avalanches;
  std::vector<double> m_snapshot_strains;  ///< sorted
  bool m_stopped = false;
  RunProgress m_progress;
};

}  // namespace stz
