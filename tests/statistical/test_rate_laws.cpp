// Emergent rate laws of the kinetic Monte Carlo engine (SPEC 4.6, 4.7). Seeded; each test runs
// whole simulations on small boxes.
#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>

#include "libstz/core/units.hpp"
#include "libstz/sim/simulation.hpp"

namespace stz {
namespace {

/// Mean reported stress over the series points at control strain >= from.
struct PlateauStress : SimulationObserver {
  explicit PlateauStress(double from) : from(from) {}
  double from, sum = 0;
  int n = 0;
  void on_series(const Simulation&, const SeriesPoint& p) override {
    if (p.strain_eng >= from) sum += p.stress_GPa, ++n;
  }
  double value() const { return sum / n; }
};

// SPEC 4.6. Every voxel is one domain with a ± mode pair aligned with the tensile axis, so the
// mean-field plastic strain rate is exactly ε̇_p = ν0 e^{−ΔF/kT} γ0 sinh(a), a = Ω γ0 σ/(4 k_BT)
// (plane strain: σ:ε* = σ γ0/2 for the forward mode). In steady state ε̇_p = ε̇, so the flow
// stress must be σ = (4 k_BT/(Ω γ0)) asinh(ε̇ e^{ΔF/kT}/(ν0 γ0)). High T (1000 K) and small γ0
// (0.01) keep the internal stresses from neighbouring flips small against k_BT. The three rates
// span a = 0.1 (linear, Newtonian) to 2.1 (exponential). Measured over 8 seeds per engine
// (deviation mean ± single-seed SD): 1/s fast −3.7 % ± 4.4 %, reference −2.9 % ± 5.3 %;
// 10/s −4.6 % ± 0.6 %, −5.1 % ± 0.8 %; 40/s −1.9 % ± 0.2 %, −1.7 % ± 0.4 % (Jensen: fluctuations
// raise the mean rate, so the flow stress sits a few % low). At 1/s the plateau (0.55 GPa) is
// small against the internal stresses, so one seed scatters by ±5 %: that rate is averaged over
// 12 seeds (standard error ~1.4 %); the tolerance is 7 %, the bias plus over 2 standard errors.
//
// With STZ clusters (issue 9 §2) the same physical box of 0.5 nm voxels and 2×2-voxel STZs of
// 1 nm thickness (Ω = 1 nm³ again) must give the same law: ν0/|C| per site on |C| times as many
// sites, each event Ω ε*. Run for the lowest and highest rate (8 seeds: −2.1 % ± 5.8 %,
// −1.6 % ± 0.2 %).
void expect_sinh_law(bool clusters, const std::vector<double>& rates) {
  const double temperature = 1000.0, kT = units::thermal_energy_eV(temperature);
  const double gamma0 = 0.01, nu0 = 1e13;
  const double barrier = kT * std::log(nu0 * gamma0 / 10.0);  // ν0 e^{−ΔF/kT} γ0 = 10/s
  const Grid grid = clusters ? Grid::plane(64, 32, 0.5) : Grid::plane(32, 16);
  StructureMap aligned;
  aligned.domain_id.assign(grid.size(), 0);
  aligned.type.assign(grid.size(), 1);
  MroDomain d;
  d.type = 1;
  d.voxel_count = grid.size();
  d.angle_rad = units::pi / 2;  // mode 0: ε*_yy = +γ0/2
  d.rotation = rotation_about_z(d.angle_rad);
  aligned.domains.push_back(d);
  std::vector<double> measured;
  for (double rate : rates) {
    const double a = std::asinh(rate / (nu0 * std::exp(-barrier / kT) * gamma0));
    const double predicted = a * 4.0 * kT / (units::eV_per_GPa_nm3 * gamma0);
    const int seeds = a < 0.3 ? 12 : 1;  // the Newtonian plateau scatters (see above)
    double sum = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
      SimulationParams p;
      p.seed = static_cast<std::uint64_t>(seed);
      p.grid.shape = {grid.extent(0), grid.extent(1)};
      p.grid.voxel_nm = grid.voxel_nm();
      if (clusters) {
        p.model.cluster.shape = ClusterShape::cube;
        p.model.cluster.edge_voxels = 2;
        p.model.cluster.thickness_nm = 1.0;
      }
      p.model.temperature_K = temperature;
      p.model.gamma0 = gamma0;
      p.model.types[0].barrier_spread = 0.0;
      StzTypeParams pair;
      pair.name = "aligned";
      pair.modes = 2;
      pair.barrier_eV = barrier;
      pair.barrier_spread = 0.0;
      pair.orientation = OrientationPolicy::per_domain;
      p.model.types.push_back(pair);
      p.model.free_volume.softening_coefficient = 0.0;
      p.loading.strain_rate_per_s = rate;
      const double elastic = predicted / (92.1 / (1 - 0.387 * 0.387));
      p.loading.max_strain = 4 * elastic + 0.01;
      p.output.stats_every_strain = p.loading.max_strain / 200;
      p.output.snapshots_at_strain = {};
      Simulation sim(p, aligned);
      PlateauStress plateau(2 * elastic + 0.005);
      sim.run({&plateau});
      sum += plateau.value();
    }
    const double flow = sum / seeds;
    std::printf(
        "%sstrain rate %5.1f/s: sinh argument %.3f, predicted %.4f GPa, measured %.4f GPa "
        "(%d seeds)\n",
        clusters ? "clusters: " : "", rate, a, predicted, flow, seeds);
    EXPECT_NEAR(flow / predicted, 1.0, 0.07);
    measured.push_back(flow);
  }
  // Newtonian at low stress, exponential at high: the 40x rate raises σ by asinh(4)/asinh(0.1).
  EXPECT_NEAR(measured.back() / measured.front(), std::asinh(4.0) / std::asinh(0.1), 0.07 * 21.0);
}

TEST(RateLaws, HighTemperatureFlowFollowsTheSinhLaw) {
  expect_sinh_law(false, {1.0, 10.0, 40.0});
}

TEST(RateLaws, HighTemperatureFlowFollowsTheSinhLawWithStzClusters) {
  expect_sinh_law(true, {1.0, 40.0});
}

double steady_flow_stress(double temperature, double rate, std::uint64_t seed) {
  SimulationParams p;
  p.seed = seed;
  p.grid.shape = {48, 24};
  p.model.temperature_K = temperature;
  p.model.free_volume.softening_coefficient = 0.0;  // steady flow, no localization
  p.loading.strain_rate_per_s = rate;
  p.loading.max_strain = 0.06;
  p.output.stats_every_strain = 5e-4;
  p.output.snapshots_at_strain = {};
  Simulation sim(p);
  PlateauStress plateau(0.035);
  sim.run({&plateau});
  return plateau.value();
}

// SPEC 4.7. ∂σ/∂ln ε̇ ≈ 4 k_BT/(γ0 Ω) in plane-strain tension (τ = σ/2 on the best-aligned of
// 20 modes, alignment ≈ 1 in 2D): 0.166 GPa per e-fold at 300 K. Measured on three seeds over two
// e-folds; interactions and the discrete catalog move it by tens of percent, so the test asks for
// the right sign and a value within a factor 1.6 of the estimate. Lower temperature must raise
// the flow stress.
TEST(RateLaws, FlowStressRisesWithStrainRateAndFallsWithTemperature) {
  const double kT = units::thermal_energy_eV(300.0);
  const double estimate = 4.0 * kT / (0.1 * units::eV_per_GPa_nm3);
  double slow = 0, fast = 0, cold = 0;
  for (std::uint64_t seed : {1, 2, 3}) {
    slow += steady_flow_stress(300.0, 1e-4, seed) / 3;
    fast += steady_flow_stress(300.0, 1e-4 * std::exp(2.0), seed) / 3;
    cold += steady_flow_stress(250.0, 1e-4, seed) / 3;
  }
  const double sensitivity = (fast - slow) / 2.0;
  std::printf(
      "flow stress %.3f GPa (1e-4/s), %.3f GPa (e^2 faster), %.3f GPa (250 K); "
      "sensitivity %.3f GPa per e-fold, estimate %.3f\n",
      slow, fast, cold, sensitivity, estimate);
  EXPECT_GT(sensitivity, estimate / 1.6);
  EXPECT_LT(sensitivity, estimate * 1.6);
  EXPECT_GT(cold, slow + 0.05);
}

}  // namespace
}  // namespace stz
