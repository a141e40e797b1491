#include "libstz/sim/reference_engine.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"

namespace stz {

ReferenceEngine::ReferenceEngine(const FftElasticSolver& solver, const StzCluster& cluster,
                                 const ReferenceEngineParams& params)
    : m_solver(&solver),
      m_cluster(cluster),
      m_params(params),
      m_kernel(std::make_shared<const ResponseKernel>(solver, cluster)),
      m_selector(make_selector(params.selector)),
      m_fluctuation(solver.grid()),
      m_site_rates(solver.grid().size(), 0.0) {
  m_selector->resize(solver.grid().size());
}

ReferenceEngine::ReferenceEngine(const ReferenceEngine& other)
    : m_solver(other.m_solver),
      m_cluster(other.m_cluster),
      m_params(other.m_params),
      m_kernel(other.m_kernel),
      m_selector(make_selector(other.m_params.selector)),
      m_active(other.m_active),
      m_fluctuation(other.m_fluctuation),
      m_site_rates(other.m_site_rates),
      m_work_rate_eV_per_s(other.m_work_rate_eV_per_s),
      m_events_since_resolve(other.m_events_since_resolve),
      m_stats(other.m_stats) {
  m_selector->resize(m_site_rates.size());  // rebuilt from the rates at every step
}

std::unique_ptr<KmcEngine> ReferenceEngine::clone() const {
  return std::make_unique<ReferenceEngine>(*this);
}

void ReferenceEngine::rebuild(const EngineContext& ctx) {
  m_active = ctx.model.active_components();
  TensorField fresh(m_solver->grid()), scratch;
  site_stress_fluctuation(*m_solver, m_cluster, ctx.eigenstrain, fresh, scratch);
  m_fluctuation = TensorField(m_solver->grid());
  for (int v : m_active) {
    const auto src = fresh.component(v);
    std::copy(src.begin(), src.end(), m_fluctuation.component(v).begin());
  }
  m_events_since_resolve = 0;
  // Step cap, part 1: the mean stress rises at d⟨σ⟩/dt; bound |Δσ:ε*| by ‖Δσ‖‖ε*‖ (Frobenius).
  const SymTensor& rate = ctx.mean_stress_rate;
  m_work_rate_eV_per_s = ctx.model.work_per_stress_eV_per_GPa() *
                         std::sqrt(double_dot(rate, rate)) * ctx.model.max_mode_norm();
}

EngineEvent ReferenceEngine::next_event(const EngineContext& ctx, double stop_s, Rng& rng) {
  const StzModel& model = ctx.model;
  const double t = ctx.time_s;
  const RateSweep sweep = model.compute_site_rates(ctx.mean_stress, m_fluctuation, t, m_site_rates);
  auto site_stress = [&](std::size_t site) {
    SymTensor sigma = ctx.mean_stress;
    for (int v : m_active) sigma[static_cast<std::size_t>(v)] += m_fluctuation(v, site);
    return sigma;
  };
  if (sweep.max_drive_eV >= 0.0) {  // athermal: Q <= 0 somewhere; fire the most driven first
    const std::size_t site = sweep.most_driven_site;
    model.mode_drives(site, site_stress(site), t, m_mode_scratch);
    const auto best = std::max_element(m_mode_scratch.begin(), m_mode_scratch.end());
    return {EngineEvent::Kind::athermal, t, site, static_cast<int>(best - m_mode_scratch.begin())};
  }
  // The waiting time is capped at the step cap and at the stop time. Part 2 of the cap: barriers
  // rise while transient free volume anneals (rates fall). Rates are held at the step start, so
  // the step must be short against both changes (exact as max_step_kT_fraction → 0).
  const double drift_eV_per_s = m_work_rate_eV_per_s + model.max_barrier_rise_rate_eV_per_s(t);
  const double max_step_s = drift_eV_per_s > 0.0 ? m_params.max_step_kT_fraction *
                                                       model.thermal_energy_eV() / drift_eV_per_s
                                                 : std::numeric_limits<double>::infinity();
  const double cap_s = std::min(max_step_s, stop_s - t);
  m_selector->set_all(m_site_rates);
  const double total = m_selector->total();
  const double u = uniform01_open_low(rng);
  const double dt = total > 0.0 ? -std::log(u) / total : std::numeric_limits<double>::infinity();
  if (dt >= cap_s) {  // null step: no event before the cap (memoryless: the draw is discarded)
    ++m_stats.null_events;
    return {EngineEvent::Kind::none, cap_s >= stop_s - t ? stop_s : t + cap_s, 0, 0};
  }
  const std::size_t site = m_selector->select(uniform01(rng));
  model.mode_rates(site, site_stress(site), t, m_mode_scratch);  // rates at the step start
  double target = uniform01(rng) * deterministic_sum(m_mode_scratch.data(), m_mode_scratch.size());
  int mode = 0;
  for (; mode + 1 < static_cast<int>(m_mode_scratch.size()); ++mode) {
    if (target < m_mode_scratch[static_cast<std::size_t>(mode)]) break;
    target -= m_mode_scratch[static_cast<std::size_t>(mode)];
  }
  while (m_mode_scratch[static_cast<std::size_t>(mode)] == 0.0 && mode > 0) --mode;
  return {EngineEvent::Kind::thermal, t + dt, site, mode};
}

void ReferenceEngine::on_event(const EngineContext& ctx, std::size_t site,
                               const SymTensor& increment) {
  m_kernel->add_translated(m_fluctuation, site, increment, m_active);
  if (++m_events_since_resolve >= m_params.resolve_every_events) resolve_and_check_drift(ctx);
}

void ReferenceEngine::resolve_and_check_drift(const EngineContext& ctx) {
  TensorField fresh(m_solver->grid()), scratch;
  site_stress_fluctuation(*m_solver, m_cluster, ctx.eigenstrain, fresh, scratch);
  double diff = 0.0, ref = 0.0;
  for (int v : m_active) {
    const auto a = m_fluctuation.component(v), b = fresh.component(v);
    for (std::size_t i = 0; i < a.size(); ++i) {
      diff = std::max(diff, std::abs(a[i] - b[i]));
      ref = std::max(ref, std::abs(b[i]));
    }
    std::copy(b.begin(), b.end(), m_fluctuation.component(v).begin());
  }
  const double drift = ref > 0.0 ? diff / ref : diff;
  m_stats.max_drift = std::max(m_stats.max_drift, drift);
  ++m_stats.resolves;
  m_events_since_resolve = 0;
  if (drift > m_params.drift_tolerance)
    throw NumericalError("kernel superposition drifted by " + std::to_string(drift) +
                         " (relative) from a fresh solve; tolerance kmc.drift_tolerance = " +
                         std::to_string(m_params.drift_tolerance));
}

// The caches: the superposed stress fluctuation (which differs from a fresh solve by round-off,
// so it is saved, not recomputed), the re-solve counter and the step-cap rate. Site rates and
// the selector are recomputed at every step.
void ReferenceEngine::save_state(StateWriter& out, const std::string& prefix) const {
  for (int v : m_active)
    out.put(prefix + "fluctuation_" + std::to_string(v), m_fluctuation.component(v));
  out.put_integer(prefix + "events_since_resolve", m_events_since_resolve);
  out.put_scalar(prefix + "work_rate_eV_per_s", m_work_rate_eV_per_s);
  save_engine_stats(out, prefix, m_stats);
}

void ReferenceEngine::load_state(const StateReader& in, const std::string& prefix,
                                 const EngineContext& ctx) {
  m_active = ctx.model.active_components();
  m_fluctuation = TensorField(m_solver->grid());
  for (int v : m_active) {
    const std::vector<double> values =
        in.doubles(prefix + "fluctuation_" + std::to_string(v), m_solver->grid().size());
    std::copy(values.begin(), values.end(), m_fluctuation.component(v).begin());
  }
  m_events_since_resolve = in.integer(prefix + "events_since_resolve");
  m_work_rate_eV_per_s = in.scalar(prefix + "work_rate_eV_per_s");
  m_stats = load_engine_stats(in, prefix);
}

std::string ReferenceEngine::describe() const {
  std::ostringstream s;
  s << "reference engine: " << m_stats.null_events << " null steps, " << m_stats.resolves
    << " re-solves, max drift " << m_stats.max_drift;
  return s.str();
}

}  // namespace stz
