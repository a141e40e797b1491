#include "libstz/sim/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"
#include "libstz/core/stop_request.hpp"
#include "libstz/sim/fast_engine.hpp"
#include "libstz/sim/reference_engine.hpp"

namespace stz {
namespace {

Grid make_grid(const SimulationParams& p) {
  p.validate();
  return p.grid.make();
}

StructureMap make_structure(const Grid& grid, const SimulationParams& p) {
  if (p.mro.fraction <= 0.0) return make_matrix_structure(grid);
  return make_synthetic_mro_map(grid, p.mro, p.seed);
}

int loaded_axis(const SimulationParams& p, const Grid& grid) {
  return p.loading.axis >= 0 ? p.loading.axis : grid.default_axis();
}

double true_strain(LoadingMode mode, double e) {
  switch (mode) {
    case LoadingMode::tension:
      return std::log1p(e);
    case LoadingMode::compression:
      return -std::log1p(-e);
    case LoadingMode::shear:
      return e;
  }
  return e;
}

std::unique_ptr<KmcEngine> make_engine(const SimulationParams& p, const FftElasticSolver& solver,
                                       const StzModel& model, const Grid& grid) {
  const KmcParams& k = p.kmc;
  if (k.engine == EngineKind::reference) {
    ReferenceEngineParams r;
    r.selector = k.selector;
    r.max_step_kT_fraction = k.max_step_kT_fraction;
    r.resolve_every_events = k.resolve_every_events;
    r.drift_tolerance = k.drift_tolerance;
    return std::make_unique<ReferenceEngine>(solver, model.cluster(), r);
  }
  FastEngineParams f;
  f.block_voxels = k.resolved_block_voxels(grid.dimension());
  f.near_field_voxels = k.resolved_near_field_voxels(grid.dimension());
  f.resolve_every_events = k.resolve_every_events;
  f.horizon_kT = k.horizon_kT;
  f.drift_tolerance = k.drift_tolerance;
  f.bound_scale = k.bound_scale_for_tests;
  f.far_field = k.far_field_for_tests;
  f.squeeze_counts_far_field = k.squeeze_counts_far_field_for_tests;
  f.initial_share = k.initial_share;
  f.raise_share = k.raise_share;
  f.min_budget_kT = k.min_budget_kT;
  f.max_budget_kT = k.max_budget_kT;
  f.rebuild_replays = k.rebuild_replays;
  return std::make_unique<FastEngine>(solver, model, f);
}

// Strain points closer than this (relative to the stats interval) count as reached.
constexpr double kStrainSlack = 1e-9;

}  // namespace

Simulation::Simulation(const SimulationParams& params)
    : Simulation(params, make_structure(make_grid(params), params)) {}

Simulation::Simulation(const SimulationParams& params, const StructureMap& structure)
    : m_params(params),
      m_grid(make_grid(params)),
      m_structure(structure),
      m_model(m_grid, params.model, m_structure, params.seed),
      m_solver(m_grid, IsotropicElasticity(params.material.youngs_GPa, params.material.poisson)),
      m_loading(m_solver.elasticity(), m_grid.dimension(), params.loading.mode,
                loaded_axis(params, m_grid)),
      m_kmc_rng(params.seed, RngPurpose::kmc),
      m_eigenstrain(m_grid) {
  // Quenched-in residual eigenstrain: independent normal components (in-plane only in 2D), std
  // = residual_strain_std·γ0, mean removed so the box is unstrained on average.
  const double std = params.model.residual_strain_std * params.model.gamma0;
  if (std > 0.0) {
    m_residual = TensorField(m_grid);
    Rng rng(params.seed, RngPurpose::residual);
    const std::vector<int> comps = m_grid.dimension() == 2 ? std::vector<int>{kXX, kYY, kXY}
                                                           : std::vector<int>{0, 1, 2, 3, 4, 5};
    for (std::size_t i = 0; i < m_grid.size(); ++i)
      for (int v : comps) m_residual(v, i) = std * standard_normal(rng);
    const SymTensor mean = m_residual.mean();
    for (int v = 0; v < 6; ++v)
      for (auto& x : m_residual.component(v)) x -= mean[static_cast<std::size_t>(v)];
    m_eigenstrain = m_residual;
    m_eigenstrain_sum = m_eigenstrain.mean();
    for (auto& x : m_eigenstrain_sum) x *= static_cast<double>(m_grid.size());
  }
  m_engine = make_engine(params, m_solver, m_model, m_grid);
  m_engine->rebuild(engine_context());

  m_snapshot_strains = params.output.snapshots_at_strain;
  std::sort(m_snapshot_strains.begin(), m_snapshot_strains.end());
}

EngineContext Simulation::engine_context() const {
  const MeanState mean = mean_state();
  const SymTensor& per_strain = m_loading.stress_per_control_strain();
  return EngineContext{m_model, m_eigenstrain, m_time_s, mean.stress,
                       m_params.loading.strain_rate_per_s * per_strain};
}

MeanState Simulation::mean_state() const {
  SymTensor mean_eig = m_eigenstrain_sum;
  for (auto& x : mean_eig) x /= static_cast<double>(m_grid.size());
  return m_loading.state(control_strain(), mean_eig);
}

double Simulation::next_output_strain() const {
  // The next series, snapshot or final strain strictly after the current one: steps never jump
  // over an output point, whether or not run() is the caller.
  const double dstat = m_params.output.stats_every_strain;
  const double e = control_strain() + kStrainSlack * dstat;
  double next = std::min(m_params.loading.max_strain, (std::floor(e / dstat) + 1.0) * dstat);
  const auto snap = std::upper_bound(m_snapshot_strains.begin(), m_snapshot_strains.end(), e);
  if (snap != m_snapshot_strains.end()) next = std::min(next, *snap);
  return next;
}

bool Simulation::step() {
  const double max_strain = m_params.loading.max_strain;
  const double slack = kStrainSlack * m_params.output.stats_every_strain;
  if (control_strain() >= max_strain - slack) return false;

  // The engine looks for an event before the next output point (steps never jump over one).
  const double stop_s = next_output_strain() / m_params.loading.strain_rate_per_s;
  const EngineEvent event = m_engine->next_event(engine_context(), stop_s, m_kmc_rng);
  m_time_s = event.time_s;
  if (event.kind == EngineEvent::Kind::athermal) {
    fire(event.site, event.mode);
    ++m_athermal_events;
    if (++m_current_avalanche >
        static_cast<std::int64_t>(m_params.kmc.max_avalanche_per_voxel * m_grid.size()))
      throw NumericalError("athermal avalanche did not stop after " +
                           std::to_string(m_current_avalanche) + " events (strain " +
                           std::to_string(control_strain()) + "); the barriers are too low for " +
                           "the stress (see kmc.max_avalanche_per_voxel)");
    return true;
  }
  if (m_current_avalanche > 0) {
    m_avalanches.push_back(m_current_avalanche);
    m_current_avalanche = 0;
  }
  if (event.kind == EngineEvent::Kind::thermal) fire(event.site, event.mode);
  return true;
}

void Simulation::fire(std::size_t site, int mode) {
  const SymTensor increment = m_model.fire(site, mode, m_time_s);
  // The eigenstrain goes to every voxel of the STZ's cluster (one voxel by default).
  const StzCluster& cluster = m_model.cluster();
  cluster.spread_add(m_eigenstrain, m_grid, site, increment);
  const double voxels = static_cast<double>(cluster.size());
  for (std::size_t v = 0; v < 6; ++v) m_eigenstrain_sum[v] += voxels * increment[v];
  ++m_events;
  if (static_cast<double>(m_events) >
      m_params.kmc.max_events_per_voxel * static_cast<double>(m_grid.size()))
    throw NumericalError("stopped after " + std::to_string(m_events) + " events at strain " +
                         std::to_string(control_strain()) + " (kmc.max_events_per_voxel = " +
                         to_display(m_params.kmc.max_events_per_voxel) +
                         "): the barriers are far too low for the temperature and strain rate");
  // The running sum is re-derived from the field now and then so round-off cannot accumulate.
  if (++m_events_since_sum >= m_params.kmc.resolve_every_events) {
    const SymTensor mean = m_eigenstrain.mean();
    for (std::size_t v = 0; v < 6; ++v)
      m_eigenstrain_sum[v] = mean[v] * static_cast<double>(m_grid.size());
    m_events_since_sum = 0;
  }
  m_engine->on_event(engine_context(), site, increment);
}

void Simulation::run(const std::vector<SimulationObserver*>& observers) {
  const double dstat = m_params.output.stats_every_strain;
  const double slack = kStrainSlack * dstat;
  const double max_strain = m_params.loading.max_strain;
  auto emit_series = [&] {
    const SeriesPoint p = series_point();
    for (auto* o : observers) o->on_series(*this, p);
  };
  auto stats_index = [&] {
    return static_cast<std::int64_t>(std::floor((control_strain() + slack) / dstat));
  };
  RunProgress& g = m_progress;
  if (!g.active) {
    // Output points already passed (a run may continue a stepped simulation). A restored
    // checkpoint taken inside run() carries its own progress instead.
    g.active = true;
    g.last_stats = stats_index();
    g.next_snapshot = std::upper_bound(m_snapshot_strains.begin(), m_snapshot_strains.end(),
                                       control_strain() - slack) -
                      m_snapshot_strains.begin();
    g.snapshot_index = 0;
    g.emitted = true;  // the series ends on the current state (no duplicate point)
    emit_series();
  }
  m_stopped = false;
  constexpr std::int64_t kHeartbeatSteps = 256;
  std::int64_t steps = 0;
  const auto snapshots = static_cast<std::int64_t>(m_snapshot_strains.size());
  while (true) {
    // Checked between events only, so the state (and the partial output) stays consistent.
    if (stop_requested()) {
      for (auto* o : observers) o->on_consistent_state(*this, true);
      m_stopped = true;
      if (!g.emitted) emit_series();
      break;
    }
    for (auto* o : observers) o->on_consistent_state(*this, false);
    if (!step()) {
      for (auto* o : observers) o->on_consistent_state(*this, true);
      break;
    }
    if (++steps % kHeartbeatSteps == 0)
      for (auto* o : observers) o->on_heartbeat(*this);
    for (auto* o : observers) o->on_step(*this);
    const double e = control_strain();
    while (g.next_snapshot < snapshots &&
           m_snapshot_strains[static_cast<std::size_t>(g.next_snapshot)] <= e + slack) {
      if (m_snapshot_strains[static_cast<std::size_t>(g.next_snapshot)] < max_strain - slack)
        for (auto* o : observers)
          o->on_snapshot(*this, static_cast<int>(g.snapshot_index++), false);
      ++g.next_snapshot;
    }
    const std::int64_t k = stats_index();
    g.emitted = false;
    if (k > g.last_stats || e >= max_strain - slack) {
      g.last_stats = k;
      emit_series();
      g.emitted = true;
    }
  }
  if (m_current_avalanche > 0) {
    m_avalanches.push_back(m_current_avalanche);
    m_current_avalanche = 0;
  }
  for (auto* o : observers) o->on_snapshot(*this, static_cast<int>(g.snapshot_index), true);
  g.active = false;
}

void Simulation::save_state(StateWriter& out) const {
  const std::string p = "simulation/";
  for (int v = 0; v < kVoigtSize; ++v)
    out.put(p + "eigenstrain_" + std::to_string(v), m_eigenstrain.component(v));
  out.put(p + "eigenstrain_sum", std::span<const double>(m_eigenstrain_sum));
  out.put_scalar(p + "time_s", m_time_s);
  const std::vector<std::int64_t> counters{m_events, m_athermal_events, m_events_since_sum,
                                           m_current_avalanche};
  out.put(p + "counters", std::span<const std::int64_t>(counters));
  out.put(p + "avalanches", std::span<const std::int64_t>(m_avalanches));
  out.put_text(p + "rng_kmc", m_kmc_rng.save_state());
  const std::vector<std::int64_t> progress{m_progress.active ? 1 : 0, m_progress.last_stats,
                                           m_progress.next_snapshot, m_progress.snapshot_index,
                                           m_progress.emitted ? 1 : 0};
  out.put(p + "run_progress", std::span<const std::int64_t>(progress));
  m_model.save_state(out, "model/");
  out.put_text("engine/kind", m_engine->kind());
  m_engine->save_state(out, "engine/");
}

void Simulation::load_state(const StateReader& in) {
  const std::string p = "simulation/";
  const std::string kind = in.text("engine/kind");
  if (kind != m_engine->kind())
    throw Error("the checkpoint was written by the " + kind + " engine, this run uses the " +
                m_engine->kind() + " engine (kmc.engine)");
  m_model.load_state(in, "model/");
  for (int v = 0; v < kVoigtSize; ++v) {
    const std::vector<double> values =
        in.doubles(p + "eigenstrain_" + std::to_string(v), m_grid.size());
    std::copy(values.begin(), values.end(), m_eigenstrain.component(v).begin());
  }
  const std::vector<double> sum = in.doubles(p + "eigenstrain_sum", kVoigtSize);
  std::copy(sum.begin(), sum.end(), m_eigenstrain_sum.begin());
  m_time_s = in.scalar(p + "time_s");
  const std::vector<std::int64_t> c = in.integers(p + "counters", 4);
  m_events = c[0];
  m_athermal_events = c[1];
  m_events_since_sum = c[2];
  m_current_avalanche = c[3];
  m_avalanches = in.integers(p + "avalanches");
  const Rng rng = Rng::restore_state(in.text(p + "rng_kmc"));
  if (!rng.same_stream(m_kmc_rng))
    throw Error("the checkpoint's kMC random stream belongs to another seed");
  m_kmc_rng = rng;
  const std::vector<std::int64_t> g = in.integers(p + "run_progress", 5);
  m_progress = RunProgress{g[0] != 0, g[1], g[2], g[3], g[4] != 0};
  m_stopped = false;
  m_engine->load_state(in, "engine/", engine_context());
}

SeriesPoint Simulation::series_point() const {
  SeriesPoint p;
  p.time_s = m_time_s;
  p.strain_eng = control_strain();
  p.strain_true = true_strain(m_params.loading.mode, p.strain_eng);
  const MeanState mean = mean_state();
  p.stress_GPa = m_loading.reported_stress(mean.stress);
  SymTensor mean_plastic = m_eigenstrain_sum;
  for (auto& x : mean_plastic) x /= static_cast<double>(m_grid.size());
  p.plastic_strain = m_loading.reported_strain(mean_plastic);  // residual has zero mean
  p.events = m_events;
  p.athermal_events = m_athermal_events;
  p.null_steps = m_engine->stats().null_events;
  p.free_volume_mean = m_model.mean_free_volume(m_time_s);
  const CfvClusters cfv = cfv_clusters();
  p.cfv_max_nm3 = cfv.largest.volume_nm3;
  p.cfv_max_free_volume_nm3 = cfv.largest.free_volume_nm3;
  p.cfv_spanning = cfv.largest.spans_any();
  p.cfv_crossing = cfv.largest.crosses_any();
  return p;
}

CfvClusters Simulation::cfv_clusters() const {
  if (m_params.cfv.measure == CfvMeasure::absolute)
    return connected_free_volume(m_grid, m_model.permanent_free_volume(), m_params.cfv.threshold);
  // Relative: ξp as a fraction of what its type can hold (docs/model.md).
  const std::vector<double> relative = m_model.relative_permanent_free_volume();
  return connected_free_volume(m_grid, relative, m_params.cfv.threshold);
}

TensorField Simulation::plastic_strain() const {
  TensorField p = m_eigenstrain;
  if (m_residual.voxels() > 0)
    for (int v = 0; v < 6; ++v) {
      auto dst = p.component(v);
      const auto src = m_residual.component(v);
      for (std::size_t i = 0; i < dst.size(); ++i) dst[i] -= src[i];
    }
  return p;
}

TensorField Simulation::stress() const {
  TensorField s(m_grid);
  m_solver.solve(m_eigenstrain, nullptr, &s);
  const MeanState mean = mean_state();
  for (int v = 0; v < 6; ++v)
    for (auto& x : s.component(v)) x += mean.stress[static_cast<std::size_t>(v)];
  return s;
}

TensorField Simulation::total_strain() const {
  TensorField e(m_grid);
  m_solver.solve(m_eigenstrain, &e, nullptr);
  const MeanState mean = mean_state();
  for (int v = 0; v < 6; ++v)
    for (auto& x : e.component(v)) x += mean.strain[static_cast<std::size_t>(v)];
  return e;
}

}  // namespace stz
