// The fast exact kMC engine (SPEC 6; design note shared/design/fast-engine.md; docs/kmc.md):
// thinning (Lewis–Shedler) with piecewise-constant rate bounds per spatial block of sites.
//
// State kept per site: an "applied" stress fluctuation σ_a (active components) and the log
// position up to which deferred events have been applied to it; a rate bound R_i, the exact
// total rate at the horizon's reference mean stress σ_ref with the barrier at the time of the
// bound (barriers only rise between events: transient free volume only anneals).
// Per block b of sites: R_b = Σ R_i, the largest drive (−Q) in the block, δ_b — a bound on the
// work (eV) that deferred events can have changed on any mode of any site of b since its last
// exact refresh — and a budget D_b ≥ δ_b. The block's proposal rate is R_b·exp(D_b/k_BT)·G, with
// G = exp(ρ_W/k_BT) covering the mean stress wandering within a ball of radius ρ around σ_ref
// (the "horizon"); a sum tree over blocks holds these bounds.
//
// A step: draw τ ~ Exp(Σ bounds); if the loading would carry the mean stress out of its ball
// first, or the stop time comes first, advance there with no event (memorylessness makes this
// exact) and, at a ball exit, rebuild every bound. Otherwise pick a block ∝ its bound, a site ∝
// R_i, apply its deferred events, evaluate its exact rate r_i(t) and accept with probability
// r_i / bound (a rejection is a null event and tightens that site's bound). The accepted
// events sample the exact time-inhomogeneous process provided every bound holds at every
// instant; every candidate checks it and an InternalError is thrown if it does not.
//
// After an event at site s: the event is appended to the log of deferred events; s (and sites
// within `near_field_voxels`) are brought up to date and re-bounded exactly; every block gets
// δ_b += W(position of s in its block, block offset)·n — W: the largest |Δσ:ε*| a unit
// eigenstrain at s can cause on any of b's sites, from the real kernel's operator norm on the
// mode space (a table computed once); n: the event's norm, or the change of the norm of s's net
// deferred eigenstrain when none of s's events has reached b yet (flip-backs cancel); a block whose
// δ exceeds its budget is refreshed exactly (its deferred events applied, its sites re-bounded) or,
// when its rate is negligible, gets a larger budget. Athermal sites (Q <= 0) can only hide in
// blocks whose bound admits drive >= 0; those are refreshed exactly, and the most driven athermal
// site fires next. Every `resolve_every_events` events, or when the replays of deferred kernels
// since the last one cost about as much, a full FFT solve resets the applied stress (deferred log
// emptied) and every bound is rebuilt (a new horizon: δ_b = 0); at a ball exit only the bounds are
// rebuilt. Deferred kernels are replayed block by block.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "libstz/elasticity/compact_response_kernel.hpp"
#include "libstz/elasticity/kernel_convolution.hpp"
#include "libstz/kmc/sum_tree_selector.hpp"
#include "libstz/sim/far_field_count.hpp"
#include "libstz/sim/kmc_engine.hpp"

namespace stz {

struct FastEngineParams {
  /// Block edge in voxels (the largest divisor of each extent not above it is used).
  int block_voxels = 4;
  /// Sites within this distance (voxels) of an event get its kernel at once, exactly; the
  /// others get it deferred.
  double near_field_voxels = 5.5;
  /// Events between full FFT rebuilds (bounds the deferred log).
  std::int64_t resolve_every_events = 2000;
  /// Radius of the mean-stress ball of a horizon, as the work (units of k_BT) it can do on a mode.
  double horizon_kT = 0.5;
  /// Largest accepted relative drift of the applied stress against a fresh solve.
  double drift_tolerance = 1e-8;
  /// Budget policy (docs/kmc.md): a block holding a fraction f of the fair share of the total
  /// rate (total / blocks) gets the budget k_BT·ln(1 + initial_share / f), within
  /// [min_budget_kT, max_budget_kT] k_BT; a block over budget is inflated further (its bound
  /// grows, nothing is recomputed) while R_b·(exp(D/k_BT) − 1) stays below raise_share fair
  /// shares, else it is refreshed exactly.
  double initial_share = 0.3;
  double raise_share = 4.0;
  double min_budget_kT = 1.5;
  double max_budget_kT = 40.0;
  /// Rebuild when the deferred (event, site) pairs applied since the last rebuild exceed this
  /// many per site (a rebuild costs about that much).
  double rebuild_replays = 2.0;
  /// Scales every work bound (far-field table, near-field inflation, mean-stress ball). 1 in
  /// every real run; tests set it below 1 to show that a broken bound is detected (a negative
  /// control).
  double bound_scale = 1.0;
  /// FarFieldCount::net in every real run; tests and benchmarks set the others.
  FarFieldCount far_field = FarFieldCount::net;
  /// true in every real run: the squeeze bound covers the deferred far field (δ_b); tests set
  /// false to show that a squeeze without it is detected (a negative control).
  bool squeeze_counts_far_field = true;
};

/// The response kernel at one offset on the mode space: out[j·d + l] = b_j : K(offset) b_l (d×d,
/// b: the model's mode-space basis, ':' the tensor contraction). The fast engine's far-field work
/// bounds are operator norms of it.
void mode_space_kernel(const CompactResponseKernel& kernel,
                       const std::vector<std::array<double, kMaxActive>>& basis,
                       std::size_t offset_index, double* out);

class FastEngine final : public KmcEngine {
 public:
  /// The solver must outlive the engine (Simulation owns both). Builds the compact kernel and the
  /// far-field bound table (immutable, shared by clones).
  FastEngine(const FftElasticSolver& solver, const StzModel& model, const FastEngineParams& params);

  std::unique_ptr<KmcEngine> clone() const override;
  void rebuild(const EngineContext& ctx) override;
  EngineEvent next_event(const EngineContext& ctx, double stop_s, Rng& rng) override;
  void on_event(const EngineContext& ctx, std::size_t site, const SymTensor& increment) override;
  TensorField stress_fluctuation() const override;
  const EngineStats& stats() const override { return m_stats; }
  std::string describe() const override;
  std::string kind() const override { return "fast"; }
  void save_state(StateWriter& out, const std::string& prefix) const override;
  void load_state(const StateReader& in, const std::string& prefix,
                  const EngineContext& ctx) override;

  /// Block edges actually used (per axis).
  const std::array<int, 3>& block_shape() const;

 private:
  struct Tables;
  struct LogEntry {
    std::uint32_t site;
    std::array<int, 3> coords;
    std::array<double, kMaxActive> increment;
  };

  // Site level.
  void apply_deferred(std::size_t site);
  /// apply_deferred for every site of a block, event by event: the block's sites read
  /// neighbouring kernel entries, so this is more cache-friendly than site by site. Each
  /// site still receives its events in log order, so the result is the same bit for bit.
  void apply_deferred_block(std::size_t block);
  /// Brings a site up to date and recomputes its bound at time t; returns its drive at σ_ref.
  double bound_site(const EngineContext& ctx, std::size_t site, double t);
  /// Re-bounds a site from its applied stress as it is, leaving its deferred far-field kernels
  /// deferred (its block's δ_b still bounds them); falls back to bound_site near athermal.
  double rebound_site_applied(const EngineContext& ctx, std::size_t site, double t);
  void check_athermal(const EngineContext& ctx, std::size_t site, double t);
  // Block level.
  void sum_block(std::size_t block);
  void refresh_block(const EngineContext& ctx, std::size_t block, double t);
  bool rebound_block_rates(const EngineContext& ctx, std::size_t block, double t);
  void settle_block(const EngineContext& ctx, std::size_t block, double t);
  double initial_budget(std::size_t block) const;
  void update_tree(std::size_t block);
  // Horizon.
  std::array<double, kMaxActive> ball_coords(const double* sigma_active) const;
  double ball_distance(const SymTensor& mean_stress) const;
  double ball_exit_time(const EngineContext& ctx, double t) const;
  void flush(const EngineContext& ctx);
  void renew_horizon(const EngineContext& ctx);

  std::shared_ptr<const Tables> m_tables;
  const FftElasticSolver* m_solver;
  FastEngineParams m_params;

  std::vector<double> m_stress;         ///< applied fluctuation, [site][active component]
  std::vector<std::uint32_t> m_synced;  ///< log position applied to each site
  std::vector<double> m_site_bound;     ///< R_i
  std::vector<double> m_block_bound;    ///< R_b = Σ R_i
  std::vector<double> m_block_drive;    ///< largest drive at σ_ref in the block, eV
  std::vector<double> m_delta;          ///< work bound δ_b, eV: changes not in the bounds
  /// Per block: the largest log position any of its sites has been brought up to (C_b). A site
  /// whose first deferred event came at or after C_b has all its events deferred for the block,
  /// so the block's δ_b may count their net (on_event).
  std::vector<std::uint32_t> m_covered_from;
  /// Per site: the sum of its logged increments (active components) and the log position of
  /// its first one (kNoEvent when it has none); both reset by a flush.
  std::vector<double> m_net;
  std::vector<std::uint32_t> m_first;
  std::vector<double> m_delta_near;  ///< the part of δ_b already applied to the stress
  std::vector<double> m_scratch_bounds, m_scratch_drives;
  std::vector<double> m_site_drive;  ///< bound on the site's largest drive at σ_ref, eV
  std::vector<double> m_budget;      ///< D_b, eV
  std::vector<std::uint32_t> m_hot;  ///< blocks whose bound admits an athermal site
  std::vector<char> m_is_hot;
  std::vector<std::uint32_t> m_mark;  ///< scratch: generation stamps of touched blocks
  std::uint32_t m_generation = 0;
  std::vector<std::size_t> m_touched;
  SumTreeSelector m_tree;
  std::vector<LogEntry> m_log;

  std::array<double, kMaxActive> m_reference_stress{};  ///< σ_ref (active components)
  double m_ball_radius_GPa = 0.0, m_ball_work_eV = 0.0, m_log_slack = 0.0;
  double m_fair_share = 0.0;
  std::int64_t m_events_since_rebuild = 0;
  // Null events and events since the last horizon renewal: a renewal also re-derives the fair
  // share from which budgets are sized, so a run of nulls renews (see next_event).
  std::int64_t m_nulls_since_renewal = 0;
  std::int64_t m_screened_since_renewal = 0;
  std::int64_t m_events_since_renewal = 0;
  std::int64_t m_replays_at_rebuild = 0;

  bool m_athermal_pending = false;
  std::size_t m_athermal_site = 0;
  int m_athermal_mode = 0;
  double m_athermal_drive = 0.0;

  std::vector<double> m_mode_scratch;
  std::vector<double> m_fresh;
  KernelConvolution::Workspace m_workspace;
  double m_flush_seconds = 0.0, m_sweep_seconds = 0.0;
  EngineStats m_stats;
  std::int64_t m_refresh_hot = 0, m_refresh_budget = 0, m_refresh_margin = 0;
};

}  // namespace stz
