// STZ clusters in the model (SPEC 3.1, issue 9 §2): Ω = |C| voxels (2D: × the STZ thickness),
// ν0/|C| per site under attempt_scaling per_volume, free volume spread over the cluster's voxels,
// softening from the cluster average, and barriers of overlapping sites lowered by an event.
#include <cmath>

#include <gtest/gtest.h>

#include "libstz/core/error.hpp"
#include "libstz/core/units.hpp"
#include "libstz/model/stz_model.hpp"
#include "tests/support/tolerance.hpp"

namespace stz {
namespace {

ModelParams square_cluster_params() {
  ModelParams p;
  p.cluster.shape = ClusterShape::cube;
  p.cluster.edge_voxels = 2;
  p.cluster.thickness_nm = 1.0;
  p.types[0].barrier_spread = 0.0;  // equal barriers: softening alone tells sites apart
  return p;
}

TEST(StzClusters, VolumeAndAttemptFrequencyFollowTheCluster) {
  const Grid g = Grid::plane(16, 12, 0.5);
  ModelParams p = square_cluster_params();
  const StzModel m(g, p, make_matrix_structure(g), 1);
  EXPECT_EQ(m.cluster().size(), 4u);
  // 2×2 voxels of 0.5 nm and 1 nm thickness: Ω = 1 nm³, as one 1 nm voxel.
  EXPECT_DOUBLE_EQ(m.stz_volume_nm3(), 1.0);
  EXPECT_DOUBLE_EQ(m.work_per_stress_eV_per_GPa(), 0.5 * units::eV_per_GPa_nm3);
  EXPECT_DOUBLE_EQ(m.site_attempt_frequency_per_s(), 1e13 / 4);
  p.cluster.attempt_scaling = AttemptScaling::per_site;
  EXPECT_DOUBLE_EQ(StzModel(g, p, make_matrix_structure(g), 1).site_attempt_frequency_per_s(),
                   1e13);
  // The rates use the site's frequency and Ω: k = ν0/|C| exp(−(B − ½Ωσ:ε*)/kT).
  const SymTensor sigma{0.2, 1.0, 0.0, 0, 0, 0.3};
  std::vector<double> rates;
  m.mode_rates(5, sigma, 0.0, rates);
  const double kT = units::thermal_energy_eV(300.0);
  for (int k = 0; k < m.mode_count(5); ++k) {
    const double q =
        m.barrier_eV(5, 0.0) - 0.5 * units::eV_per_GPa_nm3 * double_dot(sigma, m.mode_tensor(5, k));
    EXPECT_REL_NEAR(rates[static_cast<std::size_t>(k)], 0.25e13 * std::exp(-q / kT), 1e-12);
  }
  // One voxel keeps Ω = a³ and ν0 (today's model).
  const StzModel single(g, ModelParams{}, make_matrix_structure(g), 1);
  EXPECT_DOUBLE_EQ(single.stz_volume_nm3(), 0.125);
  EXPECT_DOUBLE_EQ(single.site_attempt_frequency_per_s(), 1e13);
  // In 3D a cube of 2³ voxels of 0.5 nm is 1 nm³ (the thickness is a 2D key only).
  const Grid box = Grid::box(8, 8, 8, 0.5);
  EXPECT_DOUBLE_EQ(
      StzModel(box, square_cluster_params(), make_matrix_structure(box), 1).stz_volume_nm3(), 1.0);
}

TEST(StzClusters, FiringSpreadsFreeVolumeAndSoftensOverlappingSites) {
  const Grid g = Grid::plane(12, 10, 0.5);
  const ModelParams p = square_cluster_params();
  StzModel m(g, p, make_matrix_structure(g), 2);
  const auto& fv = p.free_volume;
  const std::size_t site = g.index(4, 4, 0);
  const double b_far = m.barrier_eV(g.index(9, 8, 0), 0.0);
  const double b_left = m.barrier_eV(g.index(3, 4, 0), 0.0);
  const double b_diag = m.barrier_eV(g.index(3, 3, 0), 0.0);
  m.fire(site, 0, 2.0);
  // The cluster {0, 1}² of site (4, 4): every voxel gets c_p; the others none.
  const auto xi = m.permanent_free_volume();
  for (int x = 0; x < 12; ++x)
    for (int y = 0; y < 10; ++y) {
      const bool inside = (x == 4 || x == 5) && (y == 4 || y == 5);
      EXPECT_DOUBLE_EQ(xi[g.index(x, y, 0)], inside ? fv.permanent_per_event : 0.0) << x << y;
    }
  // Sites soften by the share of their cluster that gained free volume: site (3, 4) covers
  // (3..4, 4..5), two of the four voxels; (3, 3) one; a far site none.
  const double per_voxel = fv.permanent_per_event + fv.transient_per_event;
  auto softened = [&](double b0, double share) {
    return b0 * std::exp(-fv.softening_coefficient * share * per_voxel);
  };
  EXPECT_REL_NEAR(m.barrier_eV(g.index(3, 4, 0), 2.0), softened(b_left, 0.5), 1e-12);
  EXPECT_REL_NEAR(m.barrier_eV(g.index(3, 3, 0), 2.0), softened(b_diag, 0.25), 1e-12);
  EXPECT_DOUBLE_EQ(m.barrier_eV(g.index(9, 8, 0), 2.0), b_far);
  // The transient part anneals from the event on, for the site average too.
  const double tau = m.annealing_time_s();
  EXPECT_REL_NEAR(m.transient_free_volume(g.index(3, 4, 0), 2.0 + tau),
                  0.5 * fv.transient_per_event / std::exp(1.0), 1e-12);
  // A later event on an overlapping cluster resets its voxels' transient free volume; the
  // site average mixes the two ages exactly.
  m.fire(g.index(5, 5, 0), 0, 2.0 + tau);
  // Of the voxels of site (4, 4), (5, 5) was reset at 2 + τ; the other three are one τ old.
  const double expected =
      (3.0 * fv.transient_per_event * std::exp(-1.0) + fv.transient_per_event) / 4.0;
  EXPECT_REL_NEAR(m.transient_free_volume(g.index(4, 4, 0), 2.0 + tau), expected, 1e-12);
  // The mean free volume is over voxels: 8 c_p in all ((5, 5) got it twice), and transient
  // parts on 3 voxels of the first cluster and all 4 of the second.
  const double voxels = static_cast<double>(g.size());
  EXPECT_REL_NEAR(m.mean_free_volume(2.0 + tau),
                  (8 * fv.permanent_per_event + 3 * fv.transient_per_event * std::exp(-1.0) +
                   4 * fv.transient_per_event) /
                      voxels,
                  1e-12);
}

TEST(StzClusters, CheckpointRestoresVoxelAndSiteFreeVolume) {
  const Grid g = Grid::plane(12, 10, 0.5);
  ModelParams p = square_cluster_params();
  StzModel m(g, p, make_matrix_structure(g), 2);
  m.fire(g.index(4, 4, 0), 0, 1.0);
  m.fire(g.index(5, 4, 0), 1, 3.0);
  MemoryStateArchive archive;
  m.save_state(archive, "model/");
  StzModel restored(g, p, make_matrix_structure(g), 2);
  restored.load_state(archive, "model/");
  for (std::size_t i = 0; i < g.size(); ++i) {
    EXPECT_EQ(restored.permanent_free_volume()[i], m.permanent_free_volume()[i]);
    EXPECT_EQ(restored.barrier_eV(i, 4.0), m.barrier_eV(i, 4.0));
  }
  EXPECT_EQ(restored.mean_free_volume(4.0), m.mean_free_volume(4.0));
}

// barrier_disorder per_voxel: ΔF_i = ΔF (1 + spread (2Φ(z_i) − 1)), z_i = Σ_{v∈C_i} g_v / √|C|.
ModelParams correlated_params() {
  ModelParams p;
  p.cluster.shape = ClusterShape::cube;
  p.cluster.edge_voxels = 2;
  p.cluster.barrier_disorder = BarrierDisorder::per_voxel;
  return p;
}

// Pearson correlation of the barriers of sites (x, y) and (x + dx, y + dy) over the whole grid.
double barrier_correlation(const StzModel& m, const Grid& g, int dx, int dy) {
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  const double n = static_cast<double>(g.size());
  for (int x = 0; x < g.extent(0); ++x)
    for (int y = 0; y < g.extent(1); ++y) {
      const double a = m.barrier_eV(g.index(x, y, 0), 0.0);
      const double b = m.barrier_eV(g.wrapped_index(x + dx, y + dy, 0), 0.0);
      sa += a, sb += b, saa += a * a, sbb += b * b, sab += a * b;
    }
  const double cov = sab / n - sa / n * (sb / n);
  return cov / std::sqrt((saa / n - sa / n * (sa / n)) * (sbb / n - sb / n * (sb / n)));
}

TEST(StzClusters, PerVoxelBarrierDisorderKeepsTheLawAndCorrelatesOverlappingSites) {
  const Grid g = Grid::plane(256, 256, 0.5);
  const StzModel m(g, correlated_params(), make_matrix_structure(g), 3);
  const auto& t = m.params().types[0];
  // Marginal law: uniform on ΔF (1 ± spread). Mean and variance of u = (ΔF/ΔF0 − 1 + s)/(2s)
  // against 1/2 and 1/12; 65 536 sites with correlation length ~2, so the standard errors are
  // ~2e-3 and ~1e-3 (relative): 1e-2 and 5 % are > 4 standard errors.
  double su = 0, suu = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    const double b = m.barrier_eV(i, 0.0);
    ASSERT_GE(b, t.barrier_eV * (1.0 - t.barrier_spread));
    ASSERT_LE(b, t.barrier_eV * (1.0 + t.barrier_spread));
    const double u = (b / t.barrier_eV - 1.0 + t.barrier_spread) / (2.0 * t.barrier_spread);
    su += u;
    suu += u * u;
  }
  const double n = static_cast<double>(g.size());
  EXPECT_NEAR(su / n, 0.5, 1e-2);
  EXPECT_NEAR((suu / n - su / n * (su / n)) * 12.0, 1.0, 0.05);
  // Overlap fraction ρ of the normals gives corr(Φ(z1), Φ(z2)) = (6/π) asin(ρ/2) for the
  // uniforms: ρ = 1/2 at (1, 0) → 0.4826; ρ = 1/4 at (1, 1) → 0.2394; 0 at (2, 0). The
  // tolerance 0.03 is > 5 standard errors of a correlation over 65 536 weakly dependent pairs.
  auto expected = [](double rho) { return 6.0 / units::pi * std::asin(rho / 2.0); };
  EXPECT_NEAR(barrier_correlation(m, g, 1, 0), expected(0.5), 0.03);
  EXPECT_NEAR(barrier_correlation(m, g, 0, 1), expected(0.5), 0.03);
  EXPECT_NEAR(barrier_correlation(m, g, 1, 1), expected(0.25), 0.03);
  EXPECT_NEAR(barrier_correlation(m, g, 2, 0), 0.0, 0.03);
  // Negative control: per_site draws are independent between neighbours.
  ModelParams independent = correlated_params();
  independent.cluster.barrier_disorder = BarrierDisorder::per_site;
  const StzModel m0(g, independent, make_matrix_structure(g), 3);
  EXPECT_NEAR(barrier_correlation(m0, g, 1, 0), 0.0, 0.03);
}

TEST(StzClusters, PerVoxelDisorderRedrawsTheFiredClusterAndItsOverlappingSites) {
  const Grid g = Grid::plane(12, 10, 0.5);
  ModelParams p = correlated_params();
  p.free_volume.softening_coefficient = 0.0;  // barrier_eV is then ΔF_i itself
  StzModel m(g, p, make_matrix_structure(g), 4);
  std::vector<double> before(g.size());
  for (std::size_t i = 0; i < g.size(); ++i) before[i] = m.barrier_eV(i, 0.0);
  m.fire(g.index(4, 4, 0), 0, 1.0);
  // Cluster {0, 1}² of (4, 4): the overlapping sites are (3..5, 3..5); only they change.
  for (int x = 0; x < 12; ++x)
    for (int y = 0; y < 10; ++y) {
      const std::size_t i = g.index(x, y, 0);
      const bool overlapping = x >= 3 && x <= 5 && y >= 3 && y <= 5;
      if (overlapping)
        EXPECT_NE(m.barrier_eV(i, 1.0), before[i]) << x << "," << y;
      else
        EXPECT_EQ(m.barrier_eV(i, 1.0), before[i]) << x << "," << y;
    }
  // A type that keeps its barrier changes nothing.
  p.types[0].redraw_barrier = false;
  StzModel kept(g, p, make_matrix_structure(g), 4);
  kept.fire(g.index(4, 4, 0), 0, 1.0);
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_EQ(kept.barrier_eV(i, 1.0), before[i]);
  // The checkpoint carries the voxel normals: a restored model redraws the same way.
  MemoryStateArchive archive;
  m.save_state(archive, "model/");
  ModelParams same = p;
  same.types[0].redraw_barrier = true;
  StzModel twin(g, same, make_matrix_structure(g), 4);
  twin.load_state(archive, "model/");
  m.fire(g.index(7, 2, 0), 1, 2.0);
  twin.fire(g.index(7, 2, 0), 1, 2.0);
  for (std::size_t i = 0; i < g.size(); ++i)
    EXPECT_EQ(twin.barrier_eV(i, 2.0), m.barrier_eV(i, 2.0));
}

TEST(StzClusters, BadClusterKeysAreConfigErrors) {
  ModelParams p;
  p.cluster.shape = ClusterShape::sphere;  // without a radius
  EXPECT_THROW(p.validate(), ConfigError);
  p.cluster.radius_nm = -1.0;
  EXPECT_THROW(p.validate(), ConfigError);
  p = ModelParams{};
  p.cluster.thickness_nm = std::nan("");
  EXPECT_THROW(p.validate(), ConfigError);
  EXPECT_THROW(parse_cluster_shape("ball", "stz.cluster.shape"), ConfigError);
  EXPECT_THROW(parse_attempt_scaling("none", "stz.cluster.attempt_scaling"), ConfigError);
  EXPECT_THROW(parse_barrier_disorder("gaussian", "stz.cluster.barrier_disorder"), ConfigError);
  // Too big for the box: refused when the model is built, with the key.
  ModelParams big;
  big.cluster.shape = ClusterShape::cube;
  big.cluster.edge_voxels = 5;
  const Grid g = Grid::plane(8, 8);
  EXPECT_THROW(StzModel(g, big, make_matrix_structure(g), 1), ConfigError);
}

}  // namespace
}  // namespace stz
