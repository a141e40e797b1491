// Helpers of the io tests: scratch directories, tiny file writers and a field-by-field RunConfig
// comparison (the structs have no operator==).
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <unistd.h>

#include "libstz/io/config.hpp"

namespace stz::testing {

/// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : m_path(std::filesystem::temp_directory_path() /
               ("stz_io_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(m_path);
    std::filesystem::create_directories(m_path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

/// Plain (P2) PGM; rows[0] is the top row of the image.
inline void write_pgm(const std::filesystem::path& path,
                      const std::vector<std::vector<int>>& rows) {
  std::string text = "P2\n# test label map\n" + std::to_string(rows.at(0).size()) + " " +
                     std::to_string(rows.size()) + "\n255\n";
  for (const auto& row : rows) {
    for (int v : row) text += std::to_string(v) + " ";
    text += "\n";
  }
  write_text(path, text);
}

/// EXPECTs every field of two configs to be equal.
inline void expect_same_config(const RunConfig& a, const RunConfig& b) {
  const SimulationParams &p = a.sim, &q = b.sim;
  EXPECT_EQ(p.seed, q.seed);
  EXPECT_EQ(a.output_dir, b.output_dir);
  EXPECT_EQ(p.grid.shape, q.grid.shape);
  EXPECT_EQ(p.grid.voxel_nm, q.grid.voxel_nm);
  EXPECT_EQ(p.material.youngs_GPa, q.material.youngs_GPa);
  EXPECT_EQ(p.material.poisson, q.material.poisson);
  EXPECT_EQ(p.loading.mode, q.loading.mode);
  EXPECT_EQ(p.loading.axis, q.loading.axis);
  EXPECT_EQ(p.loading.strain_rate_per_s, q.loading.strain_rate_per_s);
  EXPECT_EQ(p.loading.max_strain, q.loading.max_strain);
  const ModelParams &m = p.model, &n = q.model;
  EXPECT_EQ(m.gamma0, n.gamma0);
  EXPECT_EQ(m.dilatation, n.dilatation);
  EXPECT_EQ(m.attempt_frequency_per_s, n.attempt_frequency_per_s);
  EXPECT_EQ(m.temperature_K, n.temperature_K);
  EXPECT_EQ(m.residual_strain_std, n.residual_strain_std);
  EXPECT_EQ(m.cluster.shape, n.cluster.shape);
  EXPECT_EQ(m.cluster.radius_nm, n.cluster.radius_nm);
  EXPECT_EQ(m.cluster.edge_voxels, n.cluster.edge_voxels);
  EXPECT_EQ(m.cluster.thickness_nm, n.cluster.thickness_nm);
  EXPECT_EQ(m.cluster.attempt_scaling, n.cluster.attempt_scaling);
  EXPECT_EQ(m.free_volume.permanent_per_event, n.free_volume.permanent_per_event);
  EXPECT_EQ(m.free_volume.transient_per_event, n.free_volume.transient_per_event);
  EXPECT_EQ(m.free_volume.permanent_max, n.free_volume.permanent_max);
  EXPECT_EQ(m.free_volume.annealing_barrier_eV, n.free_volume.annealing_barrier_eV);
  EXPECT_EQ(m.free_volume.softening_coefficient, n.free_volume.softening_coefficient);
  EXPECT_EQ(m.free_volume.max_barrier_drop, n.free_volume.max_barrier_drop);
  ASSERT_EQ(m.types.size(), n.types.size());
  for (std::size_t t = 0; t < m.types.size(); ++t) {
    SCOPED_TRACE("type " + m.types[t].name);
    EXPECT_EQ(m.types[t].name, n.types[t].name);
    EXPECT_EQ(m.types[t].modes, n.types[t].modes);
    EXPECT_EQ(m.types[t].order, n.types[t].order);
    EXPECT_EQ(m.types[t].barrier_eV, n.types[t].barrier_eV);
    EXPECT_EQ(m.types[t].barrier_spread, n.types[t].barrier_spread);
    EXPECT_EQ(m.types[t].orientation, n.types[t].orientation);
    EXPECT_EQ(m.types[t].redraw_barrier, n.types[t].redraw_barrier);
    EXPECT_EQ(m.types[t].reverse_modes, n.types[t].reverse_modes);
    EXPECT_EQ(m.types[t].softening_scale, n.types[t].softening_scale);
  }
  EXPECT_EQ(p.mro.fraction, q.mro.fraction);
  EXPECT_EQ(p.mro.diameter_mean_nm, q.mro.diameter_mean_nm);
  EXPECT_EQ(p.mro.diameter_sd_nm, q.mro.diameter_sd_nm);
  EXPECT_EQ(p.mro.mixing, q.mro.mixing);
  ASSERT_EQ(p.mro.composition.size(), q.mro.composition.size());
  for (std::size_t k = 0; k < p.mro.composition.size(); ++k) {
    EXPECT_EQ(p.mro.composition[k].type, q.mro.composition[k].type);
    EXPECT_EQ(p.mro.composition[k].weight, q.mro.composition[k].weight);
  }
  EXPECT_EQ(p.cfv.threshold, q.cfv.threshold);
  EXPECT_EQ(p.cfv.min_percolation_nm3, q.cfv.min_percolation_nm3);
  EXPECT_EQ(p.cfv.measure, q.cfv.measure);
  EXPECT_EQ(p.cfv.percolation, q.cfv.percolation);
  EXPECT_EQ(p.kmc.selector, q.kmc.selector);
  EXPECT_EQ(p.kmc.max_step_kT_fraction, q.kmc.max_step_kT_fraction);
  EXPECT_EQ(p.kmc.resolve_every_events, q.kmc.resolve_every_events);
  EXPECT_EQ(p.kmc.drift_tolerance, q.kmc.drift_tolerance);
  EXPECT_EQ(p.kmc.max_avalanche_per_voxel, q.kmc.max_avalanche_per_voxel);
  EXPECT_EQ(p.kmc.max_events_per_voxel, q.kmc.max_events_per_voxel);
  EXPECT_EQ(p.output.stats_every_strain, q.output.stats_every_strain);
  EXPECT_EQ(p.output.snapshots_at_strain, q.output.snapshots_at_strain);
  EXPECT_EQ(p.output.fields, q.output.fields);
  ASSERT_EQ(a.mro_map.has_value(), b.mro_map.has_value());
  if (a.mro_map) {
    EXPECT_EQ(a.mro_map->file, b.mro_map->file);
    EXPECT_EQ(a.mro_map->dataset, b.mro_map->dataset);
    EXPECT_EQ(a.mro_map->labels, b.mro_map->labels);
    EXPECT_EQ(a.mro_map->pixel_nm, b.mro_map->pixel_nm);
  }
  EXPECT_EQ(a.ensemble.seeds, b.ensemble.seeds);
  EXPECT_EQ(a.sweep.keys, b.sweep.keys);
  EXPECT_EQ(a.sweep.values, b.sweep.values);
}

}  // namespace stz::testing
