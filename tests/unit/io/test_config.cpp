// Config: defaults, every key, round trips through the resolved YAML, the error corpus (every
// error names the exact dotted key), `--set` overrides, type indices, composition, sweeps,
// imported label maps (PGM and HDF5) and a small fuzz (never a crash, only stz errors).
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "libstz/core/error.hpp"
#include "libstz/io/config.hpp"
#include "libstz/io/hdf5_file.hpp"
#include "test_io_support.hpp"

namespace stz {
namespace {

using testing::expect_same_config;
using testing::ScratchDir;

// Every key set to a value different from its default.
const char* kFullConfig = R"(# every key, none at its default
run: {seed: 42, output_dir: results/full}
grid: {shape: [32, 16, 8], voxel_nm: 0.5}
material: {youngs_GPa: 80.5, poisson: 0.35, temperature_K: 250}
loading: {mode: compression, strain_rate_per_s: 1.0e-3, max_strain: 0.05, axis: 1}
stz: {attempt_frequency_per_s: 2.0e12, gamma0: 0.08, dilatation: 0.1, residual_strain_std: 0.05,
      cluster: {shape: sphere, radius_nm: 0.6, edge_voxels: 3, thickness_nm: 0.8,
                attempt_scaling: per_site, barrier_disorder: per_voxel}}
types:
  mro_b: {modes: 2, order: 10.0, barrier_eV: 1.3, barrier_spread: 0.1, orientation: per_site,
          redraw_barrier: false, reverse_modes: false, softening_scale: 0.25}
  matrix: {modes: 18, order: 1.5, barrier_eV: 1.1, barrier_spread: 0.3, orientation: per_domain}
  mro_a: {order: 1.67}
free_volume: {permanent_per_event: 0.03, transient_per_event: 0.04, permanent_max: 0.3,
              annealing_barrier_eV: 0.9, softening_coefficient: 2.0, max_barrier_drop: 0.2}
mro:
  fraction: 0.15
  composition: {mro_a: 0.25, mro_b: 0.75}
  diameter_nm: {mean: 2.0, sd: 0.5}
  mixing: per_voxel
cfv: {threshold: 0.07, min_percolation_nm3: 50, measure: relative, percolation: wraps}
kmc: {selector: linear, max_step_kT_fraction: 0.05, resolve_every_events: 1000,
      drift_tolerance: 1.0e-7, max_avalanche_per_voxel: 5, max_events_per_voxel: 500}
output: {stats_every_strain: 5.0e-4, snapshots_at_strain: [0.01, 0.02], fields: [free_volume, stress_GPa]}
ensemble: {seeds: 3}
sweep: {keys: [mro.diameter_nm.mean, mro.fraction], values: [[1.0, 2.0], [0.1, 0.2, 0.3]]}
)";

TEST(Config, EmptyDocumentGivesTheStructDefaults) {
  for (const char* text : {"", "\n", "# only a comment\n", "~", "---\n"}) {
    const RunConfig c = parse_config(text);
    expect_same_config(c, RunConfig{});
  }
  const RunConfig c = parse_config("");
  ASSERT_EQ(c.sim.model.types.size(), 1u);
  EXPECT_EQ(c.sim.model.types[0].name, "matrix");
  EXPECT_EQ(c.sim.model.types[0].modes, 20);
  EXPECT_EQ(c.sim.model.types[0].orientation, OrientationPolicy::per_site);
  EXPECT_TRUE(c.sim.mro.composition.empty());
  EXPECT_FALSE(c.mro_map.has_value());
  EXPECT_TRUE(c.sweep.keys.empty());
}

TEST(Config, EveryKeyIsRead) {
  const RunConfig c = parse_config(kFullConfig);
  const SimulationParams& p = c.sim;
  EXPECT_EQ(p.seed, 42u);
  EXPECT_EQ(c.output_dir, "results/full");
  EXPECT_EQ(p.grid.shape, (std::vector<int>{32, 16, 8}));
  EXPECT_EQ(p.grid.voxel_nm, 0.5);
  EXPECT_EQ(p.material.youngs_GPa, 80.5);
  EXPECT_EQ(p.material.poisson, 0.35);
  EXPECT_EQ(p.model.temperature_K, 250.0);
  EXPECT_EQ(p.loading.mode, LoadingMode::compression);
  EXPECT_EQ(p.loading.strain_rate_per_s, 1.0e-3);
  EXPECT_EQ(p.loading.max_strain, 0.05);
  EXPECT_EQ(p.loading.axis, 1);
  EXPECT_EQ(p.model.attempt_frequency_per_s, 2.0e12);
  EXPECT_EQ(p.model.gamma0, 0.08);
  EXPECT_EQ(p.model.dilatation, 0.1);
  EXPECT_EQ(p.model.residual_strain_std, 0.05);
  EXPECT_EQ(p.model.cluster.shape, ClusterShape::sphere);
  EXPECT_EQ(p.model.cluster.radius_nm, 0.6);
  EXPECT_EQ(p.model.cluster.edge_voxels, 3);
  EXPECT_EQ(p.model.cluster.thickness_nm, 0.8);
  EXPECT_EQ(p.model.cluster.attempt_scaling, AttemptScaling::per_site);
  EXPECT_EQ(p.model.cluster.barrier_disorder, BarrierDisorder::per_voxel);
  const auto& f = p.model.free_volume;
  EXPECT_EQ(f.permanent_per_event, 0.03);
  EXPECT_EQ(f.transient_per_event, 0.04);
  EXPECT_EQ(f.permanent_max, 0.3);
  EXPECT_EQ(f.annealing_barrier_eV, 0.9);
  EXPECT_EQ(f.softening_coefficient, 2.0);
  EXPECT_EQ(f.max_barrier_drop, 0.2);
  EXPECT_EQ(p.mro.fraction, 0.15);
  EXPECT_EQ(p.mro.diameter_mean_nm, 2.0);
  EXPECT_EQ(p.mro.diameter_sd_nm, 0.5);
  EXPECT_EQ(p.cfv.threshold, 0.07);
  EXPECT_EQ(p.cfv.min_percolation_nm3, 50.0);
  EXPECT_EQ(p.cfv.measure, CfvMeasure::relative);
  EXPECT_EQ(p.cfv.percolation, PercolationCriterion::wraps);
  EXPECT_EQ(p.mro.mixing, MroMixing::per_voxel);
  EXPECT_FALSE(p.model.types[1].reverse_modes);
  EXPECT_EQ(p.model.types[1].softening_scale, 0.25);
  EXPECT_TRUE(p.model.types[2].reverse_modes);
  EXPECT_EQ(p.model.types[2].softening_scale, 0.0);
  EXPECT_EQ(p.kmc.selector, SelectorKind::linear);
  EXPECT_EQ(p.kmc.max_step_kT_fraction, 0.05);
  EXPECT_EQ(p.kmc.resolve_every_events, 1000);
  EXPECT_EQ(p.kmc.drift_tolerance, 1.0e-7);
  EXPECT_EQ(p.kmc.max_avalanche_per_voxel, 5.0);
  EXPECT_EQ(p.kmc.max_events_per_voxel, 500.0);
  EXPECT_EQ(p.output.stats_every_strain, 5.0e-4);
  EXPECT_EQ(p.output.snapshots_at_strain, (std::vector<double>{0.01, 0.02}));
  EXPECT_EQ(p.output.fields, (std::vector<std::string>{"free_volume", "stress_GPa"}));
  EXPECT_EQ(c.ensemble.seeds, 3);
  EXPECT_EQ(c.sweep.keys, (std::vector<std::string>{"mro.diameter_nm.mean", "mro.fraction"}));
  ASSERT_EQ(c.sweep.values.size(), 2u);
  EXPECT_EQ(c.sweep.values[0], (std::vector<std::string>{"1.0", "2.0"}));
  EXPECT_EQ(c.sweep.values[1], (std::vector<std::string>{"0.1", "0.2", "0.3"}));
}

TEST(Config, TypeIndicesFollowDocumentOrderWithMatrixFirst) {
  const RunConfig c = parse_config(kFullConfig);
  const auto& t = c.sim.model.types;
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].name, "matrix");
  EXPECT_EQ(t[0].modes, 18);
  EXPECT_EQ(t[0].order, 1.5);
  EXPECT_EQ(t[0].barrier_eV, 1.1);
  EXPECT_EQ(t[0].barrier_spread, 0.3);
  EXPECT_EQ(t[0].orientation, OrientationPolicy::per_domain);
  EXPECT_EQ(t[1].name, "mro_b");
  EXPECT_EQ(t[1].modes, 2);
  EXPECT_EQ(t[1].orientation, OrientationPolicy::per_site);
  EXPECT_FALSE(t[1].redraw_barrier);
  EXPECT_TRUE(t[0].redraw_barrier);
  EXPECT_EQ(t[2].name, "mro_a");
  // Omitted modes: 0, meaning round(20/order) = round(11.98) = 12; MRO types default per_domain.
  EXPECT_EQ(t[2].modes, 0);
  EXPECT_EQ(t[2].resolved_modes(), 12);
  EXPECT_EQ(t[2].orientation, OrientationPolicy::per_domain);
  EXPECT_EQ(t[2].barrier_eV, StzTypeParams{}.barrier_eV);
}

TEST(Config, CompositionMapsTypeNamesToIndices) {
  const RunConfig c = parse_config(kFullConfig);
  const auto& comp = c.sim.mro.composition;
  ASSERT_EQ(comp.size(), 2u);
  EXPECT_EQ(comp[0].type, 2);  // mro_a is the third type
  EXPECT_EQ(comp[0].weight, 0.25);
  EXPECT_EQ(comp[1].type, 1);  // mro_b
  EXPECT_EQ(comp[1].weight, 0.75);

  // Without `composition`, every MRO type gets weight 1.
  const RunConfig d = parse_config("types: {x: {modes: 4}, y: {modes: 2}}\nmro: {fraction: 0.1}");
  ASSERT_EQ(d.sim.mro.composition.size(), 2u);
  EXPECT_EQ(d.sim.mro.composition[0].type, 1);
  EXPECT_EQ(d.sim.mro.composition[1].type, 2);
  EXPECT_EQ(d.sim.mro.composition[0].weight, 1.0);
}

TEST(Config, ResolvedYamlRoundTrips) {
  for (const char* text : {"", kFullConfig}) {
    const RunConfig c = parse_config(text);
    const std::string resolved = resolved_config_yaml(c);
    const RunConfig again = parse_config(resolved, {}, "<resolved>");
    expect_same_config(again, c);
    EXPECT_EQ(resolved_config_yaml(again), resolved);
  }
}

TEST(Config, ResolvedYamlKeepsDoublesExactly) {
  // Awkward values: not representable in a few digits, tiny, huge; each must come back bit for
  // bit (the resolved text uses the shortest round-trip form).
  const double third = 1.0 / 3.0, sum = 0.1 + 0.2;
  RunConfig c = parse_config("");
  c.sim.grid.voxel_nm = third;
  c.sim.material.youngs_GPa = sum;
  c.sim.model.dilatation = 5e-324;
  c.sim.model.attempt_frequency_per_s = 9.999999999999999e17;
  c.sim.loading.strain_rate_per_s = 1e-300;
  c.sim.mro.diameter_sd_nm = 0.0;
  const std::string resolved = resolved_config_yaml(c);
  const RunConfig again = parse_config(resolved);
  EXPECT_EQ(again.sim.grid.voxel_nm, third);
  EXPECT_EQ(again.sim.material.youngs_GPa, sum);
  EXPECT_EQ(again.sim.model.dilatation, 5e-324);
  EXPECT_EQ(again.sim.model.attempt_frequency_per_s, 9.999999999999999e17);
  EXPECT_EQ(again.sim.loading.strain_rate_per_s, 1e-300);
  // Floats are written so YAML 1.1 readers (PyYAML) also see floats: a '.' and a signed exponent.
  EXPECT_NE(resolved.find("strain_rate_per_s: 1.0e-300"), std::string::npos) << resolved;
  EXPECT_NE(resolved.find("temperature_K: 300.0"), std::string::npos) << resolved;
}

TEST(Config, SpecExampleParses) {
  const RunConfig c = parse_config(R"(
run:      {seed: 1, output_dir: results/tension_2d}
grid:     {shape: [256, 128], voxel_nm: 1.0}
material: {youngs_GPa: 92.1, poisson: 0.387, temperature_K: 300}
loading:  {mode: tension, strain_rate_per_s: 1.0e-4, max_strain: 0.10}
stz:      {attempt_frequency_per_s: 1.0e13, gamma0: 0.1}
types:
  matrix: {modes: 20,  order: 1.0,  barrier_eV: 1.2, barrier_spread: 0.2, orientation: per_site}
  mro_a:  {modes: 12,  order: 1.67, barrier_eV: 1.2, barrier_spread: 0.2, orientation: per_domain}
  mro_b:  {modes: 2,   order: 10.0, barrier_eV: 1.2, barrier_spread: 0.2, orientation: per_domain}
mro:      {fraction: 0.20, composition: {mro_a: 0.5, mro_b: 0.5}, diameter_nm: {mean: 1.25, sd: 0.3}}
cfv:      {threshold: 0.05}
output:   {stats_every_strain: 1.0e-4, snapshots_at_strain: [0.03, 0.05], fields: [von_mises_plastic, free_volume, cfv_largest, stz_type]}
ensemble: {seeds: 7}
sweep:    {key: mro.diameter_nm.mean, values: [0.6, 1.25, 5.0]}
)");
  EXPECT_EQ(c.sim.model.types.size(), 3u);
  EXPECT_EQ(c.sim.mro.fraction, 0.2);
  EXPECT_EQ(c.sweep.keys, std::vector<std::string>{"mro.diameter_nm.mean"});
  EXPECT_EQ(c.sweep.values[0], (std::vector<std::string>{"0.6", "1.25", "5.0"}));
  expect_same_config(parse_config(resolved_config_yaml(c)), c);
}

// ---------------------------------------------------------------------------------------------
// Error corpus: each broken config must throw ConfigError whose key() is exactly `key`.

struct Broken {
  const char* yaml;
  const char* key;
  const char* mentions;  // a substring the message must contain ("" for none)
};

const Broken kBroken[] = {
    {"mro: {mixing: per_pixel}", "mro.mixing", "per_domain, per_voxel"},
    {"cfv: {measure: percent}", "cfv.measure", "absolute, relative"},
    {"cfv: {percolation: touches}", "cfv.percolation", "crosses, wraps"},
    {"cfv: {min_percolation_nm3: -1}", "cfv.min_percolation_nm3", ">= 0"},
    {"free_volume: {permanent_max: 0}\ncfv: {measure: relative}", "cfv.measure", "permanent_max"},
    {"types: {mro_a: {softening_scale: -2}}", "types.mro_a.softening_scale", "1/order"},
    {"types: {mro_a: {reverse_modes: 3}}", "types.mro_a.reverse_modes", ""},
    {"grdi: {shape: [16, 8]}", "grdi", "did you mean grid"},
    {"loading: {strain_rate: 1.0e-4}", "loading.strain_rate", "strain_rate_per_s"},
    {"loading: {mode: tension, speed: 1}", "loading.speed", "mode, strain_rate_per_s"},
    {"grid: 5", "grid", "a map"},
    {"grid: {shape: abc}", "grid.shape", "list"},
    {"grid: {shape: [16]}", "grid.shape", "2 (2D plane strain) or 3"},
    {"grid: {shape: [16, 8, 4, 2]}", "grid.shape", ""},
    {"grid: {shape: [16, -8]}", "grid.shape[1]", "integer"},
    {"grid: {shape: [16, 8.5]}", "grid.shape[1]", "integer"},
    {"grid: {shape: [16, \"8\"]}", "grid.shape[1]", "quoted"},
    {"grid: {shape: [4194304, 2097152, 2097152]}", "grid.shape", "2^31"},
    {"grid: {shape: [99999999999999999999, 8]}", "grid.shape[0]", "integer"},
    {"grid: {voxel_nm: \"1.0\"}", "grid.voxel_nm", "number"},
    {"grid: {voxel_nm: [1.0]}", "grid.voxel_nm", "number"},
    {"grid: {voxel_nm: .nan}", "grid.voxel_nm", ""},
    {"grid: {voxel_nm: -1}", "grid.voxel_nm", ""},
    {"grid: {voxel_nm: one}", "grid.voxel_nm", "number"},
    {"material: {youngs_GPa: 1e999}", "material.youngs_GPa", "range"},
    {"material: {poisson: 0.6}", "material.poisson", ""},
    {"material: {poisson: true}", "material.poisson", "number"},
    {"material: {temperature_K: -5}", "material.temperature_K", ""},
    {"material: {temperature_K: }", "material.temperature_K", "null"},
    {"loading: {mode: twist}", "loading.mode", "tension"},
    {"loading: {max_strain: 0}", "loading.max_strain", ""},
    {"loading: {axis: 2}", "loading.axis", ""},
    {"loading: {axis: 1.5}", "loading.axis", "integer"},
    {"stz: {gamma0: 2}", "stz.gamma0", ""},
    {"stz: {cluster: {shape: ball}}", "stz.cluster.shape", "voxel, sphere, cube"},
    {"stz: {cluster: {shape: sphere}}", "stz.cluster.radius_nm", "> 0"},
    {"stz: {cluster: {edge_voxels: 0}}", "stz.cluster.edge_voxels", "[1, 64]"},
    {"stz: {cluster: {radius: 1}}", "stz.cluster.radius", "radius_nm"},
    {"stz: {cluster: {attempt_scaling: none}}", "stz.cluster.attempt_scaling", "per_volume"},
    {"stz: {cluster: 2}", "stz.cluster", "map"},
    {"grid: {shape: [16, 8]}\nstz: {cluster: {shape: cube, edge_voxels: 4}}",
     "stz.cluster.edge_voxels", "fits inside every box extent"},
    {"stz: {attempt_frequency_per_s: {a: 1}}", "stz.attempt_frequency_per_s", "map"},
    {"types: [matrix]", "types", "map"},
    {"types: {mro_a: {modes: -3}}", "types.mro_a.modes", ""},
    {"types: {mro_a: {order: 0.5}}", "types.mro_a.order", ""},
    {"types: {mro_a: {orientation: random}}", "types.mro_a.orientation", "per_domain"},
    {"types: {mro_a: {mode: 12}}", "types.mro_a.mode", "did you mean modes"},
    {"types: {mro_a: 12}", "types.mro_a", "map"},
    {"types: {\"bad name\": {}}", "types.bad name", "letters"},
    {"types: {matrix: {barrier_eV: 0}}", "types.matrix.barrier_eV", ""},
    {"types: {matrix: {redraw_barrier: yes}}", "types.matrix.redraw_barrier", "true or false"},
    {"types: {matrix: {redraw_barrier: 1}}", "types.matrix.redraw_barrier", "true or false"},
    {"kmc: {max_events_per_voxel: 0}", "kmc.max_events_per_voxel", ""},
    {"free_volume: {max_barrier_drop: 1.5}", "free_volume.max_barrier_drop", ""},
    {"free_volume: {permanent: 0.1}", "free_volume.permanent", "permanent_per_event"},
    {"mro: {fraction: 1.5}", "mro.fraction", ""},
    {"mro: {fraction: 0.2}", "mro.composition", ""},
    {"mro: {fraction: 0.2, composition: {mro_x: 1}}", "mro.composition.mro_x", "types"},
    {"mro: {composition: {matrix: 1}}", "mro.composition.matrix", "MRO type"},
    {"types: {a: {}}\nmro: {fraction: 0.2, composition: {a: -1}}", "mro.composition.a", ">= 0"},
    {"types: {a: {}}\nmro: {composition: [a]}", "mro.composition", "map"},
    {"mro: {diameter_nm: {mean: -1}}", "mro.diameter_nm.mean", ""},
    {"mro: {diameter_nm: {mean: 1, sigma: 1}}", "mro.diameter_nm.sigma", "mean, sd"},
    {"mro: {diameter_nm: 1.25}", "mro.diameter_nm", "map"},
    {"types: {a: {}}\nmro: {fraction: 0.2, diameter_nm: {mean: 500}}", "mro.diameter_nm.mean", ""},
    {"mro: {map: {labels: {0: matrix}}}", "mro.map.file", ""},
    {"mro: {map: {file: x.pgm}}", "mro.map.labels", ""},
    {"mro: {map: {file: x.pgm, labels: {zero: matrix}}}", "mro.map.labels.zero", "integer"},
    {"mro: {map: {file: x.pgm, labels: {1: mro_q}}}", "mro.map.labels.1", "defined"},
    {"mro: {map: {file: x.pgm, labels: {0: matrix}, pixel_nm: -1}}", "mro.map.pixel_nm", ""},
    {"mro: {map: {file: x.pgm, labels: {0: matrix}, pixels: 1}}", "mro.map.pixels", "pixel_nm"},
    {"mro: {map: {file: x.pgm, labels: {1: matrix, 01: matrix}}}", "mro.map.labels.01", "once"},
    {"types: {a: {}}\nmro: {fraction: 0.1, map: {file: x.pgm, labels: {0: matrix}}}",
     "mro.fraction", "mro.map"},
    {"cfv: {threshold: 0}", "cfv.threshold", ""},
    {"cfv: {smoothing: 3}", "cfv.smoothing", "threshold"},
    {"kmc: {selector: fast}", "kmc.selector", "sum_tree"},
    {"kmc: {resolve_every_events: 0}", "kmc.resolve_every_events", ""},
    {"kmc: {resolve_every_events: 1.5}", "kmc.resolve_every_events", "integer"},
    {"kmc: {drift_tolerance: 2}", "kmc.drift_tolerance", ""},
    {"kmc: {near_field_voxels: 0.5}", "kmc.near_field_voxels", "[1, 16]"},
    {"kmc: {near_field_voxels: 17}", "kmc.near_field_voxels", "[1, 16]"},
    {"kmc: {near_field_blocks: 1}", "kmc.near_field_blocks", "near_field_voxels"},
    {"output: {fields: [von_mises]}", "output.fields", "von_mises_plastic"},
    {"output: {fields: von_mises_total}", "output.fields", "list"},
    {"output: {fields: [free_volume, free_volume]}", "output.fields", "once"},
    {"output: {fields: [[free_volume]]}", "output.fields[0]", "string"},
    {"output: {snapshots_at_strain: [0.5]}", "output.snapshots_at_strain", ""},
    {"output: {snapshots_at_strain: 0.03}", "output.snapshots_at_strain", "list"},
    {"output: {stats_every_strain: 1}", "output.stats_every_strain", ""},
    {"ensemble: {seeds: 0}", "ensemble.seeds", "[1, 100000]"},
    {"ensemble: {seed: 3}", "ensemble.seed", "seeds"},
    {"run: {seed: -1}", "run.seed", "integer"},
    {"run: {seed: 99999999999999999999999}", "run.seed", "integer"},
    {"run: {seed: 1.5}", "run.seed", "integer"},
    {"run: {output_dir: [a]}", "run.output_dir", "string"},
    {"run: {output_dir: ''}", "run.output_dir", ""},
    {"run: {seed: 1}\nrun: {seed: 2}", "run", "once"},
    {"grid: {voxel_nm: 1, voxel_nm: 2}", "grid.voxel_nm", "once"},
    {"[1, 2]", "(top level)", "map"},
    {"just a string", "(top level)", "map"},
    {"sweep: {key: mro.diameter_nm.mean}", "sweep.values", ""},
    {"sweep: {key: mro.diameter_nm.mean, values: []}", "sweep.values", "non-empty"},
    {"sweep: {key: mro.diameter_nm.mean, values: 1.0}", "sweep.values", "list"},
    {"sweep: {key: mro.diameter_nm.mean, values: [0.5, -1]}", "sweep.values",
     "mro.diameter_nm.mean = -1"},
    {"sweep: {key: mro.diameter.mean, values: [1]}", "sweep.values", "mro.diameter"},
    {"sweep: {keys: [grid.voxel_nm, loading.max_strain, material.poisson], values: [[1],[2],[3]]}",
     "sweep.keys", "1 or 2"},
    {"sweep: {keys: [grid.voxel_nm, loading.max_strain], values: [[1.0]]}", "sweep.values", ""},
    {"sweep: {keys: [grid.voxel_nm, grid.voxel_nm], values: [[1.0], [2.0]]}", "sweep.keys",
     "different"},
    {"sweep: {key: ensemble.seeds, values: [1]}", "sweep.key", "not sweep"},
    {"sweep: {key: a..b, values: [1]}", "sweep.key", "dotted"},
    {"sweep: {key: x, keys: [y], values: [1]}", "sweep.keys", "not both"},
    {"sweep: {values: [1]}", "sweep.values", "sweep.key"},
    {"sweep: {key: loading.max_strain, values: [0.05, 0.00001]}", "sweep.values",
     "output.stats_every_strain"},
};

TEST(Config, EveryBrokenConfigNamesItsKey) {
  for (const Broken& b : kBroken) {
    SCOPED_TRACE(b.yaml);
    try {
      parse_config(b.yaml);
      ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
      const std::string message = e.what();
      EXPECT_EQ(e.key(), b.key) << message;
      EXPECT_NE(message.find(b.mentions), std::string::npos) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
      EXPECT_EQ(message.rfind(std::string(b.key) + " = ", 0), 0u) << message;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not a ConfigError: " << e.what();
    }
  }
}

TEST(Config, SyntaxErrorsAreOneLineWithOriginLineAndColumn) {
  const struct {
    const char* yaml;
    const char* where;  // origin:line:column
  } cases[] = {
      {"grid: {shape: [16, 8]\n", "cfg.yaml:2:1"},
      {"run:\n  seed: 1\n  output_dir: [a\n", "cfg.yaml:4:1"},
      {"a: b: c\n", "cfg.yaml:1:5"},
      {"run: {seed: 1}\n---\nrun: {seed: 2}\n", "cfg.yaml"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.yaml);
    try {
      parse_config(c.yaml, {}, "cfg.yaml");
      ADD_FAILURE() << "no error";
    } catch (const IoError& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind(c.where, 0), 0u) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
  }
}

TEST(Config, MissingFileAndDirectoryAreIoErrors) {
  ScratchDir dir("missing");
  EXPECT_THROW(load_config(dir.path() / "nope.yaml"), IoError);
  EXPECT_THROW(load_config(dir.path()), IoError);
  try {
    load_config(dir.path() / "nope.yaml");
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("nope.yaml"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------------------------
// Overrides

TEST(Config, OverridesSetListsScalarsAndNestedKeys) {
  const RunConfig c = parse_config(
      kFullConfig, {"grid.shape=[128,64]", "output.fields=[free_volume]", "types.mro_c.modes=6",
                    "mro.diameter_nm.sd=0.25", "run.seed = 7", "run.seed=8"});
  EXPECT_EQ(c.sim.grid.shape, (std::vector<int>{128, 64}));
  EXPECT_EQ(c.sim.output.fields, std::vector<std::string>{"free_volume"});
  ASSERT_EQ(c.sim.model.types.size(), 4u);  // a type created by an override comes last
  EXPECT_EQ(c.sim.model.types[3].name, "mro_c");
  EXPECT_EQ(c.sim.model.types[3].modes, 6);
  EXPECT_EQ(c.sim.model.types[3].orientation, OrientationPolicy::per_domain);
  EXPECT_EQ(c.sim.mro.diameter_sd_nm, 0.25);
  EXPECT_EQ(c.sim.seed, 8u);  // the last override of a key wins
  // Visible in the resolved config.
  const std::string resolved = resolved_config_yaml(c);
  EXPECT_NE(resolved.find("shape: [128, 64]"), std::string::npos) << resolved;
  EXPECT_NE(resolved.find("  mro_c:\n    modes: 6\n"), std::string::npos) << resolved;
  expect_same_config(parse_config(resolved), c);

  // Intermediate maps are created on an empty document.
  const RunConfig d = parse_config("", {"types.mro_a.modes=12", "mro.fraction=0.1"});
  ASSERT_EQ(d.sim.model.types.size(), 2u);
  EXPECT_EQ(d.sim.model.types[1].modes, 12);
  ASSERT_EQ(d.sim.mro.composition.size(), 1u);
  EXPECT_EQ(d.sim.mro.composition[0].type, 1);
}

TEST(Config, BadOverridesNameTheOverride) {
  const struct {
    const char* text;
    const char* key;
  } cases[] = {
      {"loading.strain_rate=1", "loading.strain_rate"},  // unknown key, as in a file
      {"types.mro_a.mode=12", "types.mro_a.mode"},
      {"grid.shape=[1, 2", "grid.shape"},      // YAML syntax in the value
      {"grid.voxel_nm.x=1", "grid.voxel_nm"},  // cannot descend into a number
      {"grid.shape=", "grid.shape"},           // null value
      {"novalue", "--set"},
      {"=5", "--set"},
      {"a..b=1", "--set"},
      {"grid shape=1", "--set"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      parse_config("", {c.text});
      ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), c.key) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
}

TEST(Config, SweepValuesAreCanonicalYamlText) {
  const RunConfig c = parse_config(
      "sweep: {key: grid.shape, values: [[32, 16], [64, 32]]}\n"
      "output: {stats_every_strain: 1.0e-3}");
  ASSERT_EQ(c.sweep.values.size(), 1u);
  EXPECT_EQ(c.sweep.values[0], (std::vector<std::string>{"[32, 16]", "[64, 32]"}));
  const RunConfig d = parse_config(
      "sweep:\n  key: output.fields\n  values:\n    - [free_volume]\n"
      "    - [stz_type, domain_id]\n");
  EXPECT_EQ(d.sweep.values[0],
            (std::vector<std::string>{"[free_volume]", "[stz_type, domain_id]"}));
  // A member is the base config plus key=value, exactly as a --set override.
  const RunConfig member = parse_config("", {"grid.shape=" + c.sweep.values[0][1]});
  EXPECT_EQ(member.sim.grid.shape, (std::vector<int>{64, 32}));
  expect_same_config(parse_config(resolved_config_yaml(c)), c);
  expect_same_config(parse_config(resolved_config_yaml(d)), d);
}

// ---------------------------------------------------------------------------------------------
// Imported maps

TEST(Config, ImportedPgmMapRelativeToTheConfigFile) {
  ScratchDir dir("pgm");
  // 8×4 image, stretched ×2 onto a 16×8 grid: label 1 in image columns 0–1, label 2 in column 5
  // rows 0–1 (top rows = largest y), 0 elsewhere.
  std::vector<std::vector<int>> rows(4, std::vector<int>(8, 0));
  for (auto& r : rows) r[0] = r[1] = 1;
  rows[0][5] = rows[1][5] = 2;
  testing::write_pgm(dir.path() / "maps" / "labels.pgm", rows);
  testing::write_text(dir.path() / "run.yaml", R"(
grid: {shape: [16, 8]}
types: {mro_a: {modes: 12}, mro_b: {modes: 2}}
mro:
  map: {file: maps/labels.pgm, labels: {0: matrix, 1: mro_a, 2: mro_b}}
)");
  const RunConfig c = load_config(dir.path() / "run.yaml");
  ASSERT_TRUE(c.mro_map.has_value());
  EXPECT_TRUE(std::filesystem::path(c.mro_map->file).is_absolute()) << c.mro_map->file;
  EXPECT_TRUE(std::filesystem::exists(c.mro_map->file)) << c.mro_map->file;
  EXPECT_EQ(c.mro_map->dataset, "/labels");
  EXPECT_EQ(c.mro_map->pixel_nm, 0.0);
  EXPECT_EQ(c.mro_map->labels.at(2), "mro_b");
  expect_same_config(parse_config(resolved_config_yaml(c)), c);

  const StructureMap map = build_structure(c);
  const auto counts = map.type_voxel_counts();
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[1], 2u * 4u * 4u);  // 2 columns × 4 rows, each pixel 2×2 voxels
  EXPECT_EQ(counts[2], 2u * 4u);
  // Image row 0 is the top: label 2 sits at the largest y (voxels y = 4..7, x = 10..11).
  const Grid grid = grid_from_params(c.sim.grid);
  EXPECT_EQ(map.type[grid.index(10, 7, 0)], 2);
  EXPECT_EQ(map.type[grid.index(10, 0, 0)], 0);
  EXPECT_EQ(map.type[grid.index(0, 0, 0)], 1);
}

TEST(Config, ImportedHdf5MapAndItsErrors) {
  ScratchDir dir("h5map");
  // A (6, 4) label dataset identical in shape to the grid: the map is copied voxel by voxel.
  std::vector<std::int32_t> labels(24, 0);
  for (int y = 0; y < 4; ++y) labels[static_cast<std::size_t>(2 * 4 + y)] = 5;  // x = 2
  {
    Hdf5Writer h5(dir.path() / "labels.h5");
    h5.write("/maps/segmentation", std::span<const std::int32_t>(labels), {6, 4});
    h5.commit();
  }
  const std::string base = "grid: {shape: [6, 4]}\ntypes: {mro_a: {}}\n";
  const std::string file = (dir.path() / "labels.h5").string();
  const RunConfig c =
      parse_config(base + "mro: {map: {file: " + file +
                   ", dataset: /maps/segmentation, labels: {0: matrix, 5: mro_a}}}");
  const StructureMap map = build_structure(c);
  for (int x = 0; x < 6; ++x)
    for (int y = 0; y < 4; ++y)
      EXPECT_EQ(map.type[static_cast<std::size_t>(x * 4 + y)], x == 2 ? 1 : 0) << x << "," << y;
  ASSERT_EQ(map.domains.size(), 1u);  // the x = 2 column wraps through y: one domain

  // A label missing from the table, a missing dataset, a missing file.
  auto key_of = [&](const std::string& map_text) -> std::string {
    try {
      build_structure(parse_config(base + "mro: {map: " + map_text + "}"));
    } catch (const ConfigError& e) {
      return e.key();
    } catch (const IoError& e) {
      return std::string("IoError: ") + e.what();
    }
    return "no error";
  };
  EXPECT_EQ(key_of("{file: " + file + ", dataset: /maps/segmentation, labels: {0: matrix}}"),
            "mro.map.labels");
  EXPECT_EQ(key_of("{file: " + file + ", dataset: /nope, labels: {0: matrix}}"), "mro.map.dataset");
  EXPECT_EQ(key_of("{file: " + (dir.path() / "absent.h5").string() + ", labels: {0: matrix}}")
                .rfind("IoError: mro.map.file", 0),
            0u);
}

TEST(Config, InMemoryLabelMapMatchesTheFileImport) {
  ScratchDir dir("memmap");
  std::vector<std::int32_t> labels(24, 0);
  for (int y = 1; y < 3; ++y) labels[static_cast<std::size_t>(3 * 4 + y)] = 5;
  {
    Hdf5Writer h5(dir.path() / "labels.h5");
    h5.write("/labels", std::span<const std::int32_t>(labels), {6, 4});
    h5.commit();
  }
  const std::string base = "grid: {shape: [6, 4]}\ntypes: {mro_a: {}}\n";
  const RunConfig imported =
      parse_config(base + "mro: {map: {file: " + (dir.path() / "labels.h5").string() +
                   ", labels: {0: matrix, 5: mro_a}}}");
  const RunConfig plain = parse_config(base);
  LabelImage image;
  image.shape = {6, 4, 1};
  image.labels.assign(labels.begin(), labels.end());
  const std::map<std::int64_t, std::string> table{{0, "matrix"}, {5, "mro_a"}};
  EXPECT_EQ(structure_from_label_map(plain, image, table, 0.0), build_structure(imported));

  auto key_of = [&](const RunConfig& c, const std::map<std::int64_t, std::string>& t,
                    double pixel_nm) -> std::string {
    try {
      structure_from_label_map(c, image, t, pixel_nm);
    } catch (const ConfigError& e) {
      return e.key();
    }
    return "no error";
  };
  EXPECT_EQ(key_of(plain, {{0, "matrix"}}, 0.0), "mro.map.labels");  // label 5 not listed
  EXPECT_EQ(key_of(plain, {{0, "matrix"}, {5, "mro_b"}}, 0.0), "mro.map.labels.5");
  EXPECT_EQ(key_of(plain, {}, 0.0), "mro.map.labels");
  EXPECT_EQ(key_of(plain, table, -1.0), "mro.map.pixel_nm");
  EXPECT_EQ(key_of(parse_config(base + "mro: {fraction: 0.2}"), table, 0.0), "mro.fraction");
}

// ---------------------------------------------------------------------------------------------
// Fuzz: any input gives a RunConfig or an stz::Error — never another exception, a crash or a
// hang. Deterministic (fixed seeds).

/// True when `text` is well-formed UTF-8.
bool is_utf8(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
    if (n == 0 || i + n > text.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

void expect_clean(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse_config(text, overrides);
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    EXPECT_TRUE(is_utf8(e.what())) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "non-stz exception " << e.what() << " for input of " << text.size()
                  << " bytes";
  }
}

TEST(Config, FuzzedInputOnlyEverGivesStzErrors) {
  std::mt19937_64 rng(20240611);
  const int rounds = std::getenv("STZ_FUZZ_ROUNDS") ? std::atoi(std::getenv("STZ_FUZZ_ROUNDS")) : 1;
  // Random bytes.
  for (int n = 0; n < 300 * rounds; ++n) {
    std::string text(rng() % 200, '\0');
    for (auto& ch : text) ch = static_cast<char>(rng() % 256);
    expect_clean(text);
  }
  // Mutations of a valid config: byte flips, deletions, insertions of YAML punctuation.
  const std::string base = kFullConfig;
  const std::string punctuation = "{}[]:,-#&*!|>'\"%@` \n\t0123456789.e";
  for (int n = 0; n < 400 * rounds; ++n) {
    std::string text = base;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[at] = punctuation[rng() % punctuation.size()];
          break;
        case 1:
          text.erase(at, 1 + rng() % 5);
          break;
        default:
          text.insert(at, 1, punctuation[rng() % punctuation.size()]);
      }
      if (text.empty()) text = "x";
    }
    expect_clean(text);
  }
  // Token soup: YAML punctuation, anchors, tags, block scalars, config keys and numbers.
  const std::vector<std::string> tokens{
      "run",    "grid", "shape",     "types", "mro_a",  "matrix", "mro", "map", "labels", "sweep",
      "values", "key",  ":",         ": ",    "- ",     ",",      "[",   "]",   "{",      "}",
      "&a ",    "*a",   "!!str ",    "!x ",   "? ",     "|",      ">",   "'",   "\"",     "#",
      "---",    "...",  "\n",        "\n  ",  "\n    ", "\t",     "0",   "1.5", "-2",     ".nan",
      "1e999",  "~",    "%YAML 1.2", "@",     "`",      "\\",     "\r\n"};
  for (int n = 0; n < 400 * rounds; ++n) {
    std::string text;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 40); ++k)
      text += tokens[rng() % tokens.size()];
    expect_clean(text);
  }
  expect_clean(",");
  expect_clean("  ,a");
  expect_clean("a: 1\n---\n,");
  // Pathological shapes.
  expect_clean(std::string(100000, '['));
  expect_clean(std::string(5000, '[') + std::string(5000, ']'));
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += std::string(static_cast<std::size_t>(2 * i), ' ') + "a:\n";
  expect_clean(deep);
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'z'; ++c)
    bomb += std::string(1, c) + ": &" + c + " [*" + static_cast<char>(c - 1) + ", *" +
            static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + "]\n";
  expect_clean(bomb);
  expect_clean(bomb + "sweep: {key: output.fields, values: [*z]}");
  expect_clean("grid: {shape: [1e308, 1e308]}");
  expect_clean("grid: {shape: [2147483647, 2147483647, 2147483647]}");
  expect_clean("grid: {shape: [-2147483648, 8]}");
  expect_clean("material: {youngs_GPa: -.inf, poisson: .nan}");
  expect_clean("types: {a: {modes: 9223372036854775807}}");
  expect_clean("mro: {map: {file: /dev/null, labels: {99999999999999999999: matrix}}}");
  expect_clean("? [complex, key]\n: 1\n");
  expect_clean("!!binary aGVsbG8=");
  expect_clean("run: !!map {seed: !!str 5}");
  expect_clean("", {"a.b.c.d.e.f.g.h=[[[[[[1]]]]]]"});
  expect_clean("", {std::string(1000, 'a') + "=1"});
  expect_clean("", {"grid.shape=" + std::string(10000, '[')});
}

}  // namespace
}  // namespace stz
