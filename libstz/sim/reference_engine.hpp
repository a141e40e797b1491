// The reference kMC engine (SPEC 3.7, 6), exact as its step cap → 0 and kept as the oracle of
// the fast engine. After every event the translated response kernel updates the stress
// fluctuation everywhere (active components), every site's total rate is recomputed, and the
// selector picks the next site; the mode is chosen within the site. Each step draws
// Δt = −ln(u)/R; if Δt would pass the step cap (the mean stress may move ½Ω σ:ε* by a fraction of
// k_BT) or the stop time, the step is a null (loading-only) step — exact as the cap → 0 by the
// memorylessness of the exponential. Sites with Q <= 0 fire athermally at once, most driven
// first, with zero elapsed time.
#pragma once

#include <memory>
#include <vector>

#include "libstz/elasticity/response_kernel.hpp"
#include "libstz/kmc/rate_selector.hpp"
#include "libstz/sim/kmc_engine.hpp"

namespace stz {

struct ReferenceEngineParams {
  SelectorKind selector = SelectorKind::sum_tree;
  double max_step_kT_fraction = 0.1;
  std::int64_t resolve_every_events = 2000;
  double drift_tolerance = 1e-8;
};

class ReferenceEngine final : public KmcEngine {
 public:
  /// The solver must outlive the engine (Simulation owns both).
  /// `cluster`: the voxels an STZ spans (the model's); the engine keeps the site stress.
  ReferenceEngine(const FftElasticSolver& solver, const StzCluster& cluster,
                  const ReferenceEngineParams& params);
  ReferenceEngine(const ReferenceEngine& other);

  std::unique_ptr<KmcEngine> clone() const override;
  void rebuild(const EngineContext& ctx) override;
  EngineEvent next_event(const EngineContext& ctx, double stop_s, Rng& rng) override;
  void on_event(const EngineContext& ctx, std::size_t site, const SymTensor& increment) override;
  TensorField stress_fluctuation() const override { return m_fluctuation; }
  const EngineStats& stats() const override { return m_stats; }
  std::string describe() const override;
  std::string kind() const override { return "reference"; }
  void save_state(StateWriter& out, const std::string& prefix) const override;
  void load_state(const StateReader& in, const std::string& prefix,
                  const EngineContext& ctx) override;

 private:
  void resolve_and_check_drift(const EngineContext& ctx);

  const FftElasticSolver* m_solver;
  StzCluster m_cluster;
  ReferenceEngineParams m_params;
  std::shared_ptr<const ResponseKernel> m_kernel;
  std::unique_ptr<RateSelector> m_selector;
  std::vector<int> m_active;
  TensorField m_fluctuation;  ///< stress fluctuation, active components
  std::vector<double> m_site_rates;
  std::vector<double> m_mode_scratch;
  double m_work_rate_eV_per_s = 0.0;  ///< bound of the loading's work rate on any mode
  std::int64_t m_events_since_resolve = 0;
  EngineStats m_stats;
};

}  // namespace stz
