// The fast engine samples the same process as the reference engine (issue 8 "must be shown" 1, 2
// and 5; SPEC 4.6, 6):
//   - from one frozen state, the next event's site-mode frequencies (chi-square) and waiting
//     time (Kolmogorov–Smirnov) against the exact distribution, computed here by quadrature from
//     the model's rates at a fresh FFT stress — also with the mean stress rising during the wait;
//   - the reference engine's capped steps converge to that distribution as the cap → 0;
//   - ensembles of whole runs (20 seeds per engine, 2D 64×64 and 3D 12³ to 6 %): stress at every
//     0.5 %, peak stress, events and threshold strain agree within 3 standard errors (Welch), and
//     the same comparison detects a 2 % change of temperature (the test has power).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "libstz/analysis/threshold_strain.hpp"
#include "libstz/core/error.hpp"
#include "libstz/elasticity/fft_elastic_solver.hpp"
#include "libstz/elasticity/isotropic_elasticity.hpp"
#include "libstz/sim/fast_engine.hpp"
#include "libstz/sim/reference_engine.hpp"
#include "libstz/sim/simulation.hpp"

namespace stz {
namespace {

SimulationParams tension(std::vector<int> shape, double max_strain, EngineKind engine,
                         std::uint64_t seed) {
  SimulationParams p;
  p.grid.shape = std::move(shape);
  p.loading.max_strain = max_strain;
  p.output.stats_every_strain = 0.005;
  p.output.snapshots_at_strain = {};
  p.kmc.engine = engine;
  p.seed = seed;
  return p;
}

// --- The exact next-event distribution of a frozen state --------------------------------------

// A simulation stopped mid-flow (heterogeneous stresses, recent events with flip-back rates,
// transient free volume decaying) and the exact rates of every site-mode as functions of time.
class FrozenState {
 public:
  explicit FrozenState(EngineKind engine, double strain = 0.022)
      : FrozenState(tension({24, 16}, 0.06, engine, 11), strain) {}
  FrozenState(const SimulationParams& params, double strain) : m_sim(params) {
    while (m_sim.control_strain() < strain) m_sim.step();
    m_ctx0 = std::make_unique<EngineContext>(m_sim.engine_context());
    const SimulationParams& p = m_sim.params();
    FftElasticSolver solver(m_sim.grid(),
                            IsotropicElasticity(p.material.youngs_GPa, p.material.poisson));
    m_fluct = TensorField(m_sim.grid());
    TensorField scratch;  // the site stress: cluster-averaged with STZ clusters
    site_stress_fluctuation(solver, m_sim.model().cluster(), m_sim.eigenstrain(), m_fluct, scratch);
    for (std::size_t i = 0; i < m_sim.grid().size(); ++i)
      m_offset.push_back(m_offset.empty() ? 0 : m_offset.back() + modes(i - 1));
    m_site_modes = m_offset.back() + modes(m_sim.grid().size() - 1);
  }

  const Simulation& sim() const { return m_sim; }
  EngineContext context(double rate_scale) const {
    EngineContext c = *m_ctx0;
    for (auto& x : c.mean_stress_rate) x *= rate_scale;
    return c;
  }
  std::size_t site_modes() const { return m_site_modes; }
  std::size_t index(std::size_t site, int mode) const {
    return m_offset[site] + static_cast<std::size_t>(mode);
  }

  // Exact rates of every site-mode at time t (stress = ⟨σ⟩(t) + fresh fluctuation).
  void rates(const EngineContext& ctx, double t, std::vector<double>& out) const {
    const StzModel& model = m_sim.model();
    out.resize(m_site_modes);
    std::vector<double> mode_rates;
    const SymTensor mean = ctx.mean_stress_at(t);
    for (std::size_t i = 0; i < m_sim.grid().size(); ++i) {
      SymTensor sigma = mean;
      for (int v : model.active_components()) sigma[static_cast<std::size_t>(v)] += m_fluct(v, i);
      model.mode_rates(i, sigma, t, mode_rates);
      std::copy(mode_rates.begin(), mode_rates.end(),
                out.begin() + static_cast<std::ptrdiff_t>(m_offset[i]));
    }
  }

 private:
  std::size_t modes(std::size_t site) const {
    return static_cast<std::size_t>(m_sim.model().mode_count(site));
  }
  Simulation m_sim;
  std::unique_ptr<EngineContext> m_ctx0;
  TensorField m_fluct;
  std::vector<std::size_t> m_offset;
  std::size_t m_site_modes = 0;
};

// The exact law of the next event from t0: Λ(t) = ∫ R, S = exp(−Λ), P(site-mode) = ∫ r S dt, by
// the trapezoid rule on a grid of 4000 steps over [t0, t0 + horizon]. Rates change smoothly
// (exponentially in time), 100 steps per mean wait: quadrature errors ~1e-4 relative, so a bin
// with e expected counts gains ~e·1e-8 in chi-square — negligible against its statistical 1.
struct ExactLaw {
  std::vector<double> times, cumulative;  // Λ at each grid time
  std::vector<double> probability;        // per site-mode, events within the horizon
  double stop_s = 0;
  double cdf(double t) const {  // P(event before t) = 1 − exp(−Λ(t)), Λ linear between nodes
    if (t >= times.back()) return 1.0 - std::exp(-cumulative.back());
    const auto it = std::upper_bound(times.begin(), times.end(), t);
    const std::size_t k = static_cast<std::size_t>(it - times.begin()) - 1;
    const double w = (t - times[k]) / (times[k + 1] - times[k]);
    return 1.0 - std::exp(-(cumulative[k] + w * (cumulative[k + 1] - cumulative[k])));
  }
};

ExactLaw exact_law(const FrozenState& state, const EngineContext& ctx) {
  std::vector<double> r0;
  state.rates(ctx, ctx.time_s, r0);
  double total0 = 0;
  for (double x : r0) total0 += x;
  ExactLaw law;
  const int steps = 4000;
  // 40 mean waits at the initial rate: S < e^-40 unless rates fall, which the checks catch.
  const double horizon = 40.0 / total0, h = horizon / steps;
  law.probability.assign(state.site_modes(), 0.0);
  std::vector<double> prev = r0, now;
  double lambda = 0, prev_total = total0, prev_s = 1.0;
  law.times.push_back(ctx.time_s);
  law.cumulative.push_back(0.0);
  for (int k = 1; k <= steps; ++k) {
    const double t = ctx.time_s + k * h;
    state.rates(ctx, t, now);
    double total = 0;
    for (double x : now) total += x;
    lambda += 0.5 * h * (prev_total + total);
    const double s = std::exp(-lambda);
    for (std::size_t j = 0; j < now.size(); ++j)
      law.probability[j] += 0.5 * h * (prev[j] * prev_s + now[j] * s);
    law.times.push_back(t);
    law.cumulative.push_back(lambda);
    prev.swap(now);
    prev_total = total;
    prev_s = s;
  }
  law.stop_s = law.times.back();
  return law;
}

// One next event from the frozen state: a fresh copy of the engine's caches per draw; the
// reference engine's capped null steps advance the context as Simulation would.
EngineEvent draw(const KmcEngine& proto, EngineContext ctx, double stop_s, Rng& rng) {
  auto engine = proto.clone();
  for (;;) {
    const EngineEvent ev = engine->next_event(ctx, stop_s, rng);
    if (ev.kind != EngineEvent::Kind::none || ev.time_s >= stop_s) return ev;
    ctx.mean_stress = ctx.mean_stress_at(ev.time_s);
    ctx.time_s = ev.time_s;
  }
}

struct Draws {
  std::vector<double> waits;
  std::vector<std::int64_t> counts;  // per site-mode; the last bin: no event before stop
};

Draws draw_many(const FrozenState& state, const KmcEngine& proto, const EngineContext& ctx,
                const ExactLaw& law, int n, std::uint64_t seed) {
  Rng rng(seed, RngPurpose::test);
  Draws d;
  d.counts.assign(state.site_modes() + 1, 0);
  for (int k = 0; k < n; ++k) {
    const EngineEvent ev = draw(proto, ctx, law.stop_s, rng);
    EXPECT_NE(ev.kind, EngineEvent::Kind::athermal);
    if (ev.kind == EngineEvent::Kind::none) {
      ++d.counts.back();
      d.waits.push_back(law.stop_s - ctx.time_s);
    } else {
      ++d.counts[state.index(ev.site, ev.mode)];
      d.waits.push_back(ev.time_s - ctx.time_s);
    }
  }
  return d;
}

// Pearson chi-square over bins with ≥ 5 expected counts, the rest pooled into one bin.
struct ChiSquare {
  double statistic = 0;
  int dof = 0;
  // Normal approximation to the chi-square tail (dof in the hundreds): 4 SD above the mean is
  // p ≈ 3e-5, so a correct sampler fails at most once in ~30000 seeds.
  double critical() const { return dof + 4.0 * std::sqrt(2.0 * dof); }
};

ChiSquare chi_square(const Draws& d, const ExactLaw& law) {
  const double n = static_cast<double>(d.waits.size());
  std::vector<double> expected(law.probability);
  double within = 0;
  for (double p : expected) within += p;
  expected.push_back(std::max(0.0, 1.0 - within));  // no event before stop
  ChiSquare c;
  double pooled_e = 0, pooled_o = 0;
  int bins = 0;
  for (std::size_t j = 0; j < expected.size(); ++j) {
    const double e = n * expected[j], o = static_cast<double>(d.counts[j]);
    if (e >= 5.0) {
      c.statistic += (o - e) * (o - e) / e;
      ++bins;
    } else {
      pooled_e += e;
      pooled_o += o;
    }
  }
  if (pooled_e > 0) {
    c.statistic += (pooled_o - pooled_e) * (pooled_o - pooled_e) / pooled_e;
    ++bins;
  }
  c.dof = bins - 1;
  return c;
}

// sqrt(n)·D of the waiting times against the exact CDF (KS); 1.95 is the p = 0.001 critical value.
double ks_statistic(std::vector<double> waits, const ExactLaw& law, double t0) {
  std::sort(waits.begin(), waits.end());
  const double n = static_cast<double>(waits.size());
  double d = 0;
  for (std::size_t k = 0; k < waits.size(); ++k) {
    const double f = law.cdf(t0 + waits[k]);
    d = std::max({d, std::abs(f - static_cast<double>(k) / n),
                  std::abs(static_cast<double>(k + 1) / n - f)});
  }
  return std::sqrt(n) * d;
}
constexpr double kKsCritical = 1.95;

// The rate scale that makes the mean stress do ~2 k_BT of work on the most aligned mode during
// one mean wait: rates then rise by up to e² during a wait, far from homogeneous.
double rising_rate_scale(const FrozenState& state) {
  const EngineContext ctx = state.context(1.0);
  const StzModel& model = state.sim().model();
  std::vector<double> r0;
  state.rates(ctx, ctx.time_s, r0);
  double total0 = 0;
  for (double x : r0) total0 += x;
  const double stress_rate = std::sqrt(double_dot(ctx.mean_stress_rate, ctx.mean_stress_rate));
  const double work_rate = model.work_per_stress_eV_per_GPa() * stress_rate * model.max_mode_norm();
  return 2.0 * model.thermal_energy_eV() * total0 / work_rate;
}

struct FrozenCase {
  const char* name;
  bool rising;
};

// 1e5 next events of the fast engine from the state, its caches as the run left them (deferred
// kernels pending, budgets raised), with the mean stress held and rising, against the exact law.
void expect_fast_engine_matches_the_exact_law(const FrozenState& state) {
  for (const FrozenCase c :
       {FrozenCase{"mean stress held", false}, FrozenCase{"mean stress rising", true}}) {
    const EngineContext ctx = state.context(c.rising ? rising_rate_scale(state) : 0.0);
    const ExactLaw law = exact_law(state, ctx);
    const Draws d = draw_many(state, state.sim().engine(), ctx, law, 100000, 1);
    const ChiSquare chi = chi_square(d, law);
    EXPECT_GT(chi.dof, 30) << c.name;  // the state spreads its rate over many site-modes
    EXPECT_LT(chi.statistic, chi.critical()) << c.name << ": dof " << chi.dof;
    EXPECT_LT(ks_statistic(d.waits, law, ctx.time_s), kKsCritical) << c.name;
  }
}

TEST(FrozenStateNextEvent, FastEngineMatchesTheExactLaw) {
  expect_fast_engine_matches_the_exact_law(FrozenState(EngineKind::fast));
}

// STZ clusters (issue 9 §2): an event lowers the barriers of every site whose cluster shares a
// voxel with it, wherever the fast engine's bounds stand; the state left by a fast run with
// 2×2 clusters of 0.5 nm voxels (the same 24×16 nm box) must still give the exact law. Strong
// softening (k_s = 20 instead of 5) makes those barrier drops large (up to the 25 % cap), so
// that the near-field bound inflation (for the stress change only) cannot hide them. With the
// block near field, removing the exact re-bound of the overlapping sites in
// FastEngine::on_event stopped this run with an InternalError (a rate 4.2× its bound) before
// the frozen strain (checked by hand); with the voxel-ball near field the same removal
// survives to the frozen strain for radii 1–7.5 (checked by hand), probably because the stress
// change an event makes on its neighbours gets them re-evaluated anyway (work beyond
// kMaxInflation_kT), so this test no longer isolates that re-bound.
TEST(FrozenStateNextEvent, FastEngineMatchesTheExactLawWithStzClusters) {
  SimulationParams p = tension({48, 32}, 0.06, EngineKind::fast, 11);
  p.grid.voxel_nm = 0.5;
  p.model.cluster.shape = ClusterShape::cube;
  p.model.cluster.edge_voxels = 2;
  p.model.cluster.thickness_nm = 1.0;
  p.model.free_volume.softening_coefficient = 20.0;
  const FrozenState state(p, 0.023);
  ASSERT_GT(state.sim().events(), 50);
  expect_fast_engine_matches_the_exact_law(state);
}

// A reference engine on the frozen state with its own step cap.
double reference_ks(const FrozenState& state, const EngineContext& ctx, const ExactLaw& law,
                    double fraction, int draws, ChiSquare* chi = nullptr) {
  const SimulationParams& p = state.sim().params();
  const FftElasticSolver solver(state.sim().grid(),
                                IsotropicElasticity(p.material.youngs_GPa, p.material.poisson));
  ReferenceEngineParams rp;
  rp.max_step_kT_fraction = fraction;
  ReferenceEngine engine(solver, state.sim().model().cluster(), rp);
  engine.rebuild(ctx);
  const Draws d = draw_many(state, engine, ctx, law, draws, 2);
  if (chi) *chi = chi_square(d, law);
  return ks_statistic(d.waits, law, ctx.time_s);
}

TEST(FrozenStateNextEvent, ReferenceEngineMatchesTheExactLawWhenTheMeanStressIsHeld) {
  // Held mean stress: only transient free volume anneals during a wait (τ_a = 19 s against a
  // mean wait of ~0.5 s here), yet a freshly fired site's barrier rises enough to bias the draw
  // when its rate is held over the wait (measured: chi-square 835 against a critical 462 before
  // the step cap bounded the barrier rise too). A cap of 0.01 k_BT makes that bias ≲ 0.5 %.
  const FrozenState state(EngineKind::reference);
  const EngineContext ctx = state.context(0.0);
  const ExactLaw law = exact_law(state, ctx);
  ChiSquare chi;
  EXPECT_LT(reference_ks(state, ctx, law, 0.01, 20000, &chi), kKsCritical);
  EXPECT_LT(chi.statistic, chi.critical()) << "dof " << chi.dof;
}

TEST(FrozenStateNextEvent, ReferenceEngineConvergesAsTheStepCapShrinks) {
  // Rising mean stress: a capped step holds the rates of its start, so waits come out too long;
  // the KS distance to the exact law shrinks with the cap (SPEC 6: exact only as the cap → 0).
  const FrozenState state(EngineKind::reference);
  const EngineContext ctx = state.context(rising_rate_scale(state));
  const ExactLaw law = exact_law(state, ctx);
  std::vector<double> ks;
  for (double fraction : {2.0, 0.2, 0.02})
    ks.push_back(reference_ks(state, ctx, law, fraction, 8000));
  std::printf("reference KS sqrt(n)·D at caps 2, 0.2, 0.02 k_BT: %.2f %.2f %.2f\n", ks[0], ks[1],
              ks[2]);
  EXPECT_GT(ks[0], kKsCritical) << "a coarse cap is visibly biased";
  EXPECT_GT(ks[0], ks[2]);
  EXPECT_LT(ks[2], kKsCritical) << "a fine cap matches the exact law";
}

// --- Ensembles of whole runs ------------------------------------------------------------------

// What a run yields for the comparison: stress at every 0.5 %, peak stress, events, threshold.
struct RunStats {
  std::map<std::string, double> values;
};

RunStats run_stats(const SimulationParams& p) {
  struct Collector : SimulationObserver {
    std::vector<SeriesPoint> points;
    void on_series(const Simulation&, const SeriesPoint& pt) override { points.push_back(pt); }
  } c;
  Simulation sim(p);
  sim.run({&c});
  RunStats s;
  double peak = 0;
  std::vector<double> strain, cfv;
  std::vector<std::uint8_t> crossing;
  for (const auto& pt : c.points) {
    peak = std::max(peak, pt.stress_GPa);
    strain.push_back(pt.strain_true);
    cfv.push_back(pt.cfv_max_nm3);
    crossing.push_back(pt.cfv_crossing ? 1 : 0);
    const int permille = static_cast<int>(std::lround(pt.strain_eng * 1000));
    if (permille > 0)
      s.values["stress at " + std::to_string(permille) + " permille"] = pt.stress_GPa;
  }
  s.values["peak stress"] = peak;
  s.values["events"] = static_cast<double>(sim.events());
  // NaN (left out of the comparison) for runs that never percolated, as in the run summary.
  const PercolationAnalysis perc = analyse_percolation(strain, cfv, crossing, 0.0);
  s.values["threshold strain"] = perc.threshold.smoothed;
  s.values["percolation strain"] = perc.percolation_strain;
  return s;
}

std::vector<RunStats> ensemble(const SimulationParams& base, int seeds) {
  std::vector<RunStats> out;
  for (int k = 0; k < seeds; ++k) {
    SimulationParams p = base;
    p.seed = 1000 + static_cast<std::uint64_t>(k);
    out.push_back(run_stats(p));
  }
  return out;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Welch's statistic |Δmean| / sqrt(SE_a² + SE_b²) of every quantity (finite values only).
std::map<std::string, double> welch(const std::vector<RunStats>& a,
                                    const std::vector<RunStats>& b) {
  std::map<std::string, double> z;
  for (const auto& [key, unused] : a.front().values) {
    auto moments = [&](const std::vector<RunStats>& e) {
      std::vector<double> x;
      for (const auto& s : e)
        if (auto it = s.values.find(key); it != s.values.end() && std::isfinite(it->second))
          x.push_back(it->second);
      if (x.size() < 5)
        return std::pair{kNaN, kNaN};  // e.g. threshold strains of few percolated runs
      double m = 0, v = 0;
      for (double y : x) m += y;
      m /= static_cast<double>(x.size());
      for (double y : x) v += (y - m) * (y - m);
      v /= static_cast<double>(x.size() - 1);
      return std::pair{m, v / static_cast<double>(x.size())};
    };
    const auto [ma, va] = moments(a);
    const auto [mb, vb] = moments(b);
    if (!std::isfinite(va) || !std::isfinite(vb)) continue;  // < 2 finite values: no statistic
    z[key] = va + vb > 0 ? std::abs(ma - mb) / std::sqrt(va + vb) : (ma == mb ? 0.0 : INFINITY);
  }
  return z;
}

// 20 seeds per engine; 3 standard errors per quantity (p ≈ 0.003 each; with ~15 correlated
// quantities a correct engine passes with these fixed seeds, and a bias the size of the one
// below — 2 % in temperature — is flagged at many).
constexpr int kSeeds = 20;
constexpr double kMaxZ = 3.0;

void expect_engines_agree(const std::vector<int>& shape) {
  const auto fast = ensemble(tension(shape, 0.06, EngineKind::fast, 0), kSeeds);
  const auto reference = ensemble(tension(shape, 0.06, EngineKind::reference, 0), kSeeds);
  double max_z = 0;
  for (const auto& [key, z] : welch(fast, reference)) {
    EXPECT_LT(z, kMaxZ) << key;
    max_z = std::max(max_z, z);
  }
  // The negative control: the same comparison between the fast engine at 300 K and at 306 K.
  SimulationParams warmer = tension(shape, 0.06, EngineKind::fast, 0);
  warmer.model.temperature_K *= 1.02;
  const auto biased = welch(fast, ensemble(warmer, kSeeds));
  const auto flagged =
      std::count_if(biased.begin(), biased.end(), [](const auto& kv) { return kv.second > kMaxZ; });
  std::printf("%zuD: largest Welch z fast vs reference %.2f; 2 %% warmer: %td of %zu flagged\n",
              shape.size(), max_z, flagged, biased.size());
  EXPECT_GE(flagged, 3) << "the comparison must detect a 2 % change in temperature";
}

TEST(EngineEnsembles, TwoDimensionalRunsAgreeWithinThreeStandardErrors) {
  expect_engines_agree({64, 64});
}

TEST(EngineEnsembles, ThreeDimensionalRunsAgreeWithinThreeStandardErrors) {
  expect_engines_agree({12, 12, 12});
}

}  // namespace
}  // namespace stz
