// StzModel: rates against the formula of SPEC 3.5 evaluated by hand, the vectorised sweep
// against the per-site scalar path, free volume and softening (SPEC 3.6), orientation policies.
#include <cmath>

#include <gtest/gtest.h>

#include "libstz/core/error.hpp"
#include "libstz/core/units.hpp"
#include "libstz/model/stz_model.hpp"
#include "tests/support/tolerance.hpp"

namespace stz {
namespace {

ModelParams two_type_params() {
  ModelParams p;
  StzTypeParams mro;
  mro.name = "mro";
  mro.modes = 2;
  mro.order = 10.0;
  mro.orientation = OrientationPolicy::per_domain;
  p.types.push_back(mro);
  return p;
}

StructureMap half_mro(const Grid& g) {
  StructureMap s = make_matrix_structure(g);
  MroDomain d;
  d.type = 1;
  d.angle_rad = 0.3;
  d.rotation = rotation_about_z(0.3);
  for (std::size_t i = 0; i < g.size(); i += 2) {
    s.domain_id[i] = 0;
    s.type[i] = 1;
    ++d.voxel_count;
  }
  s.domains.push_back(d);
  return s;
}

TEST(StzModel, ModeRatesFollowTheArrheniusLaw) {
  const Grid g = Grid::plane(8, 4);
  const ModelParams p = two_type_params();
  const StzModel m(g, p, half_mro(g), 3);
  const SymTensor sigma{0.3, 1.1, 0.5, 0, 0, 0.2};
  const double kT = units::thermal_energy_eV(300.0);
  std::vector<double> rates;
  for (std::size_t site : {0u, 1u, 5u}) {
    m.mode_rates(site, sigma, 0.0, rates);
    ASSERT_EQ(static_cast<int>(rates.size()), m.mode_count(site));
    for (int k = 0; k < m.mode_count(site); ++k) {
      // Q = B − ½ Ω σ:ε* (Ω = 1 nm³, GPa nm³ → eV); k = ν0 exp(−Q/kT).
      const double q = m.barrier_eV(site, 0.0) -
                       0.5 * units::eV_per_GPa_nm3 * double_dot(sigma, m.mode_tensor(site, k));
      // fast_exp is accurate to a few ulp; the exponent itself carries ~1e-15 relative error.
      EXPECT_REL_NEAR(rates[static_cast<std::size_t>(k)], 1e13 * std::exp(-q / kT), 1e-12);
    }
  }
  EXPECT_EQ(m.mode_count(0), 2);   // MRO, order 10
  EXPECT_EQ(m.mode_count(1), 20);  // matrix
}

TEST(StzModel, SweepEqualsTheSumOfModeRatesAndFindsTheMostDrivenSite) {
  const Grid g = Grid::box(6, 5, 4);
  const StzModel m(g, two_type_params(), half_mro(g), 7);
  TensorField fluct(g);
  Rng rng(1, RngPurpose::test);
  for (int v = 0; v < 6; ++v)
    for (auto& x : fluct.component(v)) x = 2.0 * (uniform01(rng) - 0.5);
  const SymTensor mean{0, 0, 1.0, 0, 0, 0};
  std::vector<double> site_rates(g.size()), rates, drives;
  const RateSweep sweep = m.compute_site_rates(mean, fluct, 0.0, site_rates);
  double best = -1e300;
  std::size_t best_site = 0;
  double total = 0.0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    const SymTensor s = mean + fluct.at(i);
    m.mode_rates(i, s, 0.0, rates);
    double sum = 0.0;
    for (double r : rates) sum += r;
    total += sum;
    EXPECT_REL_NEAR(site_rates[i], sum, 1e-12);  // same terms, other summation order
    m.mode_drives(i, s, 0.0, drives);
    for (double d : drives)
      if (d > best) best = d, best_site = i;
  }
  EXPECT_REL_NEAR(sweep.total_rate, total, 1e-12);
  EXPECT_EQ(sweep.most_driven_site, best_site);
  EXPECT_NEAR(sweep.max_drive_eV, best, 1e-12);
}

// Paired storage (reverse modes, even M: only the M/2 shear parts are kept, mode k + M/2 is the
// exact reverse shear) against unpaired types (reverse_modes false; an odd M), with a dilatation
// so every mode also carries D = δγ0/3·I: per-mode rates follow the Arrhenius law of the mode
// tensors, and the sweep (vectorised chunks and the per-site path) equals their sum, 2D and 3D.
TEST(StzModel, PairedAndUnpairedModesGiveTheSameLawWithDilatation) {
  int paired = 0, unpaired = 0;
  for (const Grid& g : {Grid::plane(16, 9), Grid::box(8, 5, 4)})
    for (int variant = 0; variant < 2; ++variant) {
      ModelParams p = two_type_params();
      p.dilatation = 0.3;
      if (variant == 0)
        p.types[1].reverse_modes = false;  // matrix 20 paired; MRO 2 one-sense systems: unpaired
      else
        p.types[0].modes = 5;  // reverse modes with an odd count: unpaired; MRO 2 paired
      const StructureMap st = half_mro(g);
      const StzModel m(g, p, st, 5);
      TensorField fluct(g);
      Rng rng(2, RngPurpose::test);
      for (int v = 0; v < 6; ++v)
        for (auto& x : fluct.component(v)) x = 2.0 * (uniform01(rng) - 0.5);
      const SymTensor mean{0.2, -0.1, 0.8, 0, 0, 0.1};
      std::vector<double> site_rates(g.size()), rates;
      m.compute_site_rates(mean, fluct, 0.0, site_rates);
      const double kT = units::thermal_energy_eV(300.0);
      const double d = 0.3 * p.gamma0 / 3.0;
      for (std::size_t i = 0; i < g.size(); ++i) {
        const SymTensor s = mean + fluct.at(i);
        m.mode_rates(i, s, 0.0, rates);
        const int modes = m.mode_count(i);
        (m.paired(i) ? paired : unpaired) += 1;
        const auto type = static_cast<std::size_t>(m.site_types()[i]);
        EXPECT_EQ(m.paired(i), m.params().types[type].reverse_modes && modes % 2 == 0);
        double sum = 0.0;
        for (int k = 0; k < modes; ++k) {
          const SymTensor e = m.mode_tensor(i, k);
          // Pure shear plus D (zz is active in 2D too with a dilatation); float shear parts.
          EXPECT_NEAR(e[kXX] + e[kYY] + e[kZZ], 3.0 * d, 1e-7);
          // Paired: the reverse shear of mode k − M/2, exactly in the stored float parts (± 1 ulp
          // here: mode_tensor adds D in double).
          if (m.paired(i) && k >= modes / 2) {
            const SymTensor f = m.mode_tensor(i, k - modes / 2);
            for (int v = 0; v < 6; ++v) {
              const double dv = v < 3 ? d : 0.0;
              EXPECT_NEAR(e[v] - dv, -(f[v] - dv), 1e-17) << i << " " << k;
            }
          }
          const double q = m.barrier_eV(i, 0.0) - 0.5 * units::eV_per_GPa_nm3 * double_dot(s, e);
          EXPECT_REL_NEAR(rates[static_cast<std::size_t>(k)], 1e13 * std::exp(-q / kT), 1e-12);
          sum += rates[static_cast<std::size_t>(k)];
        }
        EXPECT_REL_NEAR(site_rates[i], sum, 1e-12) << i;
      }
    }
  EXPECT_GT(paired, 0);
  EXPECT_GT(unpaired, 0);
}

TEST(StzModel, FiringAddsOrderScaledFreeVolumeAndSoftens) {
  const Grid g = Grid::plane(8, 4);
  ModelParams p = two_type_params();
  const StzModel fresh(g, p, half_mro(g), 3);
  StzModel m(g, p, half_mro(g), 3);
  const auto& fv = p.free_volume;
  // Site 1 is matrix (order 1), site 0 MRO (order 10: s = 0.1).
  const double b1 = m.barrier_eV(1, 0.0);
  m.fire(1, 0, 5.0);
  EXPECT_DOUBLE_EQ(m.permanent_free_volume()[1], fv.permanent_per_event);
  EXPECT_DOUBLE_EQ(m.transient_free_volume(1, 5.0), fv.transient_per_event);
  m.fire(0, 1, 5.0);
  EXPECT_DOUBLE_EQ(m.permanent_free_volume()[0], 0.1 * fv.permanent_per_event);
  // Transient free volume anneals with τ_a = 1/(ν0 exp(−E_a/kT)).
  const double tau = m.annealing_time_s();
  EXPECT_REL_NEAR(tau, 1.0 / (1e13 * std::exp(-0.85 / units::thermal_energy_eV(300))), 1e-12);
  EXPECT_REL_NEAR(m.transient_free_volume(1, 5.0 + tau), fv.transient_per_event / std::exp(1.0),
                  1e-12);
  // Per-domain site keeps its catalog (the domain's orientation) but draws a new barrier.
  EXPECT_EQ(m.mode_tensor(0, 0), fresh.mode_tensor(0, 0));
  const double s0 =
      fv.softening_coefficient * 0.1 * (fv.permanent_per_event + fv.transient_per_event);
  EXPECT_NE(m.barrier_eV(0, 5.0), fresh.barrier_eV(0, 0.0) * std::exp(-s0));
  {  // ... unless redraw_barrier is off: then only the softening lowers its barrier.
    ModelParams keep = p;
    keep.types[1].redraw_barrier = false;
    StzModel k(g, keep, half_mro(g), 3);
    k.fire(0, 1, 5.0);
    EXPECT_REL_NEAR(k.barrier_eV(0, 5.0), fresh.barrier_eV(0, 0.0) * std::exp(-s0), 1e-12);
    EXPECT_EQ(k.mode_tensor(0, 0), fresh.mode_tensor(0, 0));
  }
  // Per-site (matrix) site redraws its catalog and barrier after firing.
  EXPECT_NE(m.mode_tensor(1, 0), fresh.mode_tensor(1, 0));
  EXPECT_NE(m.barrier_eV(1, 1e9) / std::exp(-fv.softening_coefficient * fv.permanent_per_event),
            b1);
  // Permanent free volume is capped and the barrier drop is capped.
  for (int i = 0; i < 100; ++i) m.fire(1, 0, 6.0);
  EXPECT_DOUBLE_EQ(m.permanent_free_volume()[1], fv.permanent_max);
  const double b0 = m.barrier_eV(1, 1e12);  // transient annealed
  EXPECT_GE(b0, (1.0 - fv.max_barrier_drop) * 1.5 * (1 - 0.2) - 1e-12);
}

TEST(StzModel, ModesArePureShearsOfMagnitudeGamma0) {
  const Grid g = Grid::box(4, 4, 4);
  const StzModel m(g, two_type_params(), half_mro(g), 5);
  for (std::size_t i : {0u, 1u, 17u})
    for (int k = 0; k < m.mode_count(i); ++k) {
      const SymTensor e = m.mode_tensor(i, k);
      EXPECT_NEAR(trace(e), 0.0, 1e-7);  // stored as float
      EXPECT_NEAR(std::sqrt(double_dot(e, e)), 0.1 / std::sqrt(2.0), 1e-7);
    }
}

TEST(StzModel, SameSeedSameModelOtherSeedOther) {
  const Grid g = Grid::plane(8, 8);
  const StzModel a(g, two_type_params(), half_mro(g), 11), b(g, two_type_params(), half_mro(g), 11),
      c(g, two_type_params(), half_mro(g), 12);
  EXPECT_EQ(a.mode_tensor(3, 2), b.mode_tensor(3, 2));
  EXPECT_EQ(a.barrier_eV(3, 0), b.barrier_eV(3, 0));
  EXPECT_NE(a.barrier_eV(3, 0), c.barrier_eV(3, 0));
}

TEST(ModelParams, BadValuesNameTheirKeys) {
  ModelParams p;
  p.types[0].barrier_spread = 1.5;
  try {
    p.validate();
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "types.matrix.barrier_spread");
  }
  p = ModelParams{};
  p.free_volume.max_barrier_drop = 1.0;
  EXPECT_THROW(p.validate(), ConfigError);
  EXPECT_THROW(parse_orientation_policy("random", "types.x.orientation"), ConfigError);
  StzTypeParams t;
  t.modes = 0;
  t.order = 1.67;
  EXPECT_EQ(t.resolved_modes(), 12);
  t.order = 10.0;
  EXPECT_EQ(t.resolved_modes(), 2);
}

}  // namespace
}  // namespace stz
