// Checkpoint/restart of the simulation state (SPEC 4.8, 4.11), in memory: a run saved at a
// consistent point and restored into a fresh Simulation continues bit for bit as the original
// (series, eigenstrain, free volume, random streams), for both engines, in 2D and 3D, with MRO
// domains and per-site catalog redraws, and with STZ clusters. The file round trip and kill -9 are
// in tests/apps/resume_test.sh.
#include <cstring>

#include <gtest/gtest.h>

#include "libstz/core/error.hpp"
#include "libstz/core/state_archive.hpp"
#include "libstz/sim/simulation.hpp"

namespace stz {
namespace {

struct Recorder : SimulationObserver {
  std::vector<SeriesPoint> series;
  std::vector<double> snapshot_strains;
  // Saves the state at the save_at-th consistent point (0: never).
  std::int64_t save_at = 0, calls = 0;
  std::size_t series_at_save = 0, snapshots_at_save = 0;
  MemoryStateArchive archive;
  void on_series(const Simulation&, const SeriesPoint& p) override { series.push_back(p); }
  void on_snapshot(const Simulation& sim, int, bool) override {
    snapshot_strains.push_back(sim.control_strain());
  }
  void on_consistent_state(const Simulation& sim, bool) override {
    if (++calls != save_at) return;
    sim.save_state(archive);
    series_at_save = series.size();
    snapshots_at_save = snapshot_strains.size();
  }
};

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

void expect_same_point(const SeriesPoint& a, const SeriesPoint& b, std::size_t k) {
  EXPECT_TRUE(same_bits(a.time_s, b.time_s)) << "point " << k;
  EXPECT_TRUE(same_bits(a.stress_GPa, b.stress_GPa)) << "point " << k;
  EXPECT_TRUE(same_bits(a.plastic_strain, b.plastic_strain)) << "point " << k;
  EXPECT_TRUE(same_bits(a.free_volume_mean, b.free_volume_mean)) << "point " << k;
  EXPECT_EQ(a.events, b.events) << "point " << k;
  EXPECT_EQ(a.athermal_events, b.athermal_events) << "point " << k;
  EXPECT_EQ(a.null_steps, b.null_steps) << "point " << k;
  EXPECT_EQ(a.cfv_max_nm3, b.cfv_max_nm3) << "point " << k;
}

class CheckpointTest : public ::testing::TestWithParam<EngineKind> {};

TEST_P(CheckpointTest, RestoredRunContinuesBitForBit) {
  // The third case: STZ clusters of 2×2 voxels of 0.5 nm (per-voxel free volume, site caches).
  for (auto shape :
       {std::vector<int>{24, 16}, std::vector<int>{8, 8, 8}, std::vector<int>{32, 24}}) {
    SimulationParams p;
    p.grid.shape = shape;
    const bool clusters = shape[0] == 32;
    if (clusters) {
      p.grid.voxel_nm = 0.5;
      p.model.cluster.shape = ClusterShape::cube;
      p.model.cluster.edge_voxels = 2;
      p.model.cluster.thickness_nm = 1.0;
      p.model.cluster.barrier_disorder = BarrierDisorder::per_voxel;  // voxel normals saved
    }
    p.kmc.engine = GetParam();
    p.kmc.resolve_every_events = 150;  // flushes and re-solves on both sides of the save
    // Correlated barriers (fewer weak sites) need a little more strain for 300 events.
    p.loading.max_strain = clusters ? 0.07 : 0.06;
    p.output.stats_every_strain = 0.001;
    p.output.snapshots_at_strain = {0.02, 0.04};
    // MRO domains of a 12-mode and a 2-mode type with per-domain catalogs beside the per-site
    // (redrawn on every event) matrix.
    StzTypeParams ta, tb;
    ta.name = "mro_a";
    ta.modes = 12;
    ta.order = 1.67;
    ta.orientation = OrientationPolicy::per_domain;
    tb = ta;
    tb.name = "mro_b";
    tb.modes = 2;
    tb.order = 10.0;
    p.model.types = {StzTypeParams{}, ta, tb};
    p.mro.fraction = 0.2;
    p.mro.composition = {{1, 0.5}, {2, 0.5}};
    p.mro.diameter_mean_nm = 2.0;
    p.seed = 11;
    Simulation a(p);
    Recorder whole;
    a.run({&whole});
    ASSERT_GT(a.events(), 300) << "too few events to test a restart";
    // Saved mid-run, between two series points, after the first snapshot.
    Recorder first;
    first.save_at = static_cast<std::int64_t>(whole.calls * 0.6) + 1;
    Simulation b(p);
    b.run({&first});
    ASSERT_GT(first.series_at_save, 0u);
    Simulation c(p);
    c.load_state(first.archive);
    Recorder rest;
    c.run({&rest});
    SCOPED_TRACE(clusters ? "2D clusters" : shape.size() == 2 ? "2D" : "3D");
    ASSERT_EQ(first.series_at_save + rest.series.size(), whole.series.size());
    for (std::size_t k = 0; k < rest.series.size(); ++k)
      expect_same_point(rest.series[k], whole.series[first.series_at_save + k], k);
    ASSERT_EQ(first.snapshots_at_save + rest.snapshot_strains.size(),
              whole.snapshot_strains.size());
    EXPECT_EQ(c.events(), a.events());
    EXPECT_EQ(c.kmc_rng_state(), a.kmc_rng_state());
    EXPECT_EQ(c.model().catalog_rng_state(), a.model().catalog_rng_state());
    EXPECT_EQ(c.avalanche_sizes(), a.avalanche_sizes());
    for (int v = 0; v < kVoigtSize; ++v) {
      const auto x = a.eigenstrain().component(v), y = c.eigenstrain().component(v);
      EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size() * sizeof(double)), 0) << "component " << v;
    }
    const auto fa = a.model().permanent_free_volume(), fc = c.model().permanent_free_volume();
    EXPECT_EQ(std::memcmp(fa.data(), fc.data(), fa.size() * sizeof(double)), 0);
  }
}

TEST_P(CheckpointTest, RefusesAnotherEngineOrGrid) {
  SimulationParams p;
  p.grid.shape = {16, 8};
  p.kmc.engine = GetParam();
  p.loading.max_strain = 0.002;
  p.output.stats_every_strain = 0.001;
  p.output.snapshots_at_strain = {};
  Simulation a(p);
  MemoryStateArchive saved;
  a.save_state(saved);
  SimulationParams other = p;
  other.kmc.engine = GetParam() == EngineKind::fast ? EngineKind::reference : EngineKind::fast;
  Simulation b(other);
  EXPECT_THROW(b.load_state(saved), Error);
  SimulationParams bigger = p;
  bigger.grid.shape = {16, 16};
  Simulation c(bigger);
  EXPECT_THROW(c.load_state(saved), Error);
}

// A checkpoint of the fast engine written before the net far field (2026-12-04) lacks the
// per-block coverage C_b: it loads with C_b = log size (every pending event counted on its own
// until the next flush, the earlier bound), and the run goes on with every candidate's rate <=
// bound check passing (a wrong restore would throw InternalError).
TEST(FastEngineCheckpoint, AStateWithoutCoverageResumesSafely) {
  struct WithoutCoverage final : StateReader {
    const MemoryStateArchive* in = nullptr;
    static void refuse(const std::string& name) {
      if (name.size() >= 12 && name.compare(name.size() - 12, 12, "covered_from") == 0)
        throw Error("checkpoint has no entry " + name);
    }
    std::vector<double> doubles(const std::string& name) const override {
      refuse(name);
      return in->doubles(name);
    }
    std::vector<float> floats(const std::string& name) const override {
      refuse(name);
      return in->floats(name);
    }
    std::vector<std::int64_t> integers(const std::string& name) const override {
      refuse(name);
      return in->integers(name);
    }
    std::string text(const std::string& name) const override {
      refuse(name);
      return in->text(name);
    }
  };
  SimulationParams p;
  p.grid.shape = {48, 32};
  p.kmc.engine = EngineKind::fast;
  p.model.temperature_K = 400.0;  // flip-backs: the net count matters
  p.loading.max_strain = 0.02;
  p.output.stats_every_strain = 0.001;
  p.output.snapshots_at_strain = {};
  Simulation a(p);
  Recorder whole;
  a.run({&whole});
  Recorder first;
  first.save_at = whole.calls / 2;
  Simulation b(p);
  b.run({&first});
  ASSERT_GT(first.series_at_save, 0u);
  WithoutCoverage old;
  old.in = &first.archive;
  Simulation c(p);
  c.load_state(old);
  Recorder rest;
  EXPECT_NO_THROW(c.run({&rest}));
  EXPECT_EQ(first.series_at_save + rest.series.size(), whole.series.size());
  EXPECT_GT(c.events(), 1000);
}

INSTANTIATE_TEST_SUITE_P(Engines, CheckpointTest,
                         ::testing::Values(EngineKind::fast, EngineKind::reference),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace stz
