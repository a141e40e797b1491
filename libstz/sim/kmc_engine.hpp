// The engine seam of the kMC loop (SPEC 3.7, 6): how the next event is found. `Simulation` owns
// the physical state (model, eigenstrain, time, counters) and applies events; an engine owns only
// what it caches to find events fast (a stress field, rate bounds, selectors) and is told about
// every event. Two engines sit behind this interface and are tested through the same test bodies:
//   reference — after every event, every site's rate is recomputed and one is chosen by the
//               n-fold way; time advances in capped steps (exact as the cap → 0). The oracle.
//   fast      — exact thinning with per-block rate bounds (docs/kmc.md): same process, no step
//               cap, cost per event independent of the box size to first order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "libstz/core/rng.hpp"
#include "libstz/core/state_archive.hpp"
#include "libstz/core/voigt.hpp"
#include "libstz/grid/voxel_field.hpp"
#include "libstz/model/stz_model.hpp"

namespace stz {

/// What an engine reads of the simulation state; valid for one call.
struct EngineContext {
  const StzModel& model;
  /// Total eigenstrain (residual + plastic), tensor shears.
  const TensorField& eigenstrain;
  /// Now, s.
  double time_s = 0.0;
  /// Mean stress ⟨σ⟩ now (GPa).
  SymTensor mean_stress{};
  /// d⟨σ⟩/dt at fixed eigenstrain (GPa/s): the loading; ⟨σ⟩ is affine in time between events.
  SymTensor mean_stress_rate{};

  SymTensor mean_stress_at(double t) const {
    return mean_stress + (t - time_s) * mean_stress_rate;
  }
};

/// The engine's answer: an event to fire, or "no event before stop_s".
struct EngineEvent {
  enum class Kind { none, thermal, athermal };
  Kind kind = Kind::none;
  /// Time of the event; for `none`, the time the engine advanced to (stop_s, or the end of a
  /// capped null step of the reference engine).
  double time_s = 0.0;
  std::size_t site = 0;
  int mode = 0;
};

/// Counters for diagnostics and tuning (not part of the physics).
struct EngineStats {
  std::int64_t null_events = 0;  ///< reference: capped null steps; fast: rejected candidates
  std::int64_t candidates = 0;   ///< fast: candidates evaluated exactly
  /// fast: proposals rejected before any site was looked at (the block's unused budget and the
  /// unused part of the mean-stress ball; docs/kmc.md "Screening")
  std::int64_t screened_nulls = 0;
  /// fast: candidates rejected by the squeeze, before their deferred kernels were applied
  /// (docs/kmc.md "The squeeze")
  std::int64_t squeezed_nulls = 0;
  std::int64_t resolves = 0;          ///< full FFT re-solves
  std::int64_t horizon_renewals = 0;  ///< fast: rebuilds because the mean stress left its ball
  std::int64_t block_refreshes = 0;   ///< fast: blocks brought up to date and re-bounded
  std::int64_t rate_refreshes = 0;    ///< fast: blocks re-bounded without applying deferred kernels
  std::int64_t budget_raises = 0;     ///< fast: blocks whose bound was inflated instead
  std::int64_t site_refreshes = 0;    ///< fast: single sites re-bounded exactly
  std::int64_t replayed_pairs = 0;    ///< fast: (deferred event, site) kernel applications
  double max_drift = 0.0;  ///< largest relative kernel-superposition drift seen at a re-solve
};

/// Checkpoint helpers shared by the engines.
void save_engine_stats(StateWriter& out, const std::string& prefix, const EngineStats& stats);
EngineStats load_engine_stats(const StateReader& in, const std::string& prefix);

class KmcEngine {
 public:
  virtual ~KmcEngine() = default;
  /// A copy with its own caches (for tests drawing many next events from one frozen state).
  virtual std::unique_ptr<KmcEngine> clone() const = 0;
  /// Rebuilds every cache from the state in ctx (at the start, and after a restart): the result
  /// depends on that state only, never on the engine's history.
  virtual void rebuild(const EngineContext& ctx) = 0;
  /// The next event after ctx.time_s, or kind `none` if none occurs before stop_s. Does not
  /// change the simulation state; may change the engine's caches and draws from rng.
  virtual EngineEvent next_event(const EngineContext& ctx, double stop_s, Rng& rng) = 0;
  /// The simulation fired `site`: eigenstrain `increment` was added there and the model updated;
  /// ctx is the state after the event.
  virtual void on_event(const EngineContext& ctx, std::size_t site, const SymTensor& increment) = 0;
  /// The stress fluctuation the engine's caches imply, every deferred contribution applied
  /// (active components only; the others are zero). For tests against a fresh FFT solve.
  virtual TensorField stress_fluctuation() const = 0;
  virtual const EngineStats& stats() const = 0;
  /// One line of engine-specific numbers (bounds, acceptance), for logs.
  virtual std::string describe() const = 0;

  /// "fast" or "reference" (checked when a checkpoint is restored).
  virtual std::string kind() const = 0;
  /// Saves every cache exactly, under `prefix`: an engine restored from it makes the same draws
  /// and the same choices as this one would (checkpoint/restart, SPEC 4.8).
  virtual void save_state(StateWriter& out, const std::string& prefix) const = 0;
  /// Restores a state saved by an engine of the same kind and parameters on the same grid;
  /// ctx is the restored simulation state.
  virtual void load_state(const StateReader& in, const std::string& prefix,
                          const EngineContext& ctx) = 0;
};

}  // namespace stz
