// Checkpoint/restart (SPEC 4.8): DIR/checkpoint.h5 holds the whole state of a run — the
// simulation's (eigenstrain, time, counters, avalanches, random streams, where it stands among
// its output points), the model's (catalogs, barriers, free volume), the engine's caches, and
// the output recorded so far (series and snapshot groups) — so `stz resume DIR` continues the
// run bit for bit as if it had never stopped.
//
// Checkpoints are taken only at consistent points (SimulationObserver::on_consistent_state):
// every `output.checkpoint_every_s` wall seconds, on a stop request (SIGINT/SIGTERM) and at the
// end. Each is written to a temporary file and renamed over the previous one, so a kill -9 at
// any moment leaves the last complete checkpoint. Layout: root attributes (format, config,
// version, strain, events, wall_s, at_end), /state/<name> datasets (core/state_archive.hpp
// names; text as int8 bytes), /fields/<n> (the snapshots so far, as in run.h5). docs/io.md.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "libstz/core/state_archive.hpp"
#include "libstz/io/hdf5_file.hpp"
#include "libstz/io/run_writer.hpp"

namespace stz {

std::filesystem::path checkpoint_path(const std::filesystem::path& output_dir);

/// What a checkpoint says about itself (its root attributes).
struct CheckpointInfo {
  std::string config_yaml;  ///< the run's resolved config
  std::string version;      ///< libstz version that wrote it
  double strain = 0;        ///< control strain at the checkpoint
  std::int64_t events = 0;
  double wall_s = 0;    ///< wall-clock time of the run up to the checkpoint
  bool at_end = false;  ///< taken at loading.max_strain (only the final output is left)
};

/// The checkpoint in DIR; nullopt when there is none. Throws IoError when a file is there but
/// is not a readable libstz checkpoint.
std::optional<CheckpointInfo> read_checkpoint_info(const std::filesystem::path& output_dir);

/// StateWriter / StateReader over the /state group of an HDF5 file.
class Hdf5StateWriter final : public StateWriter {
 public:
  explicit Hdf5StateWriter(Hdf5Writer& file) : m_file(file) {}
  using StateWriter::put;
  void put(const std::string& name, std::span<const double> values) override;
  void put(const std::string& name, std::span<const float> values) override;
  void put(const std::string& name, std::span<const std::int64_t> values) override;
  void put_text(const std::string& name, const std::string& text) override;

 private:
  Hdf5Writer& m_file;
};

class Hdf5StateReader final : public StateReader {
 public:
  explicit Hdf5StateReader(const Hdf5Reader& file) : m_file(file) {}
  using StateReader::doubles;
  using StateReader::floats;
  using StateReader::integers;
  std::vector<double> doubles(const std::string& name) const override;
  std::vector<float> floats(const std::string& name) const override;
  std::vector<std::int64_t> integers(const std::string& name) const override;
  std::string text(const std::string& name) const override;

 private:
  std::string path(const std::string& name) const;
  const Hdf5Reader& m_file;
};

/// Writes DIR/checkpoint.h5 at consistent points of Simulation::run: every `interval_s` wall
/// seconds, when the run stops on a request, and at the end. interval_s = 0: never.
class Checkpointer : public SimulationObserver {
 public:
  /// `wall_before_s`: wall time of the earlier parts of a resumed run. `note` receives one line
  /// per checkpoint written (for run.log).
  Checkpointer(std::filesystem::path output_dir, const RunWriter& writer,
               std::string resolved_yaml, double interval_s, double wall_before_s,
               std::function<void(const std::string&)> note = {});

  void on_consistent_state(const Simulation& sim, bool stopping) override;
  /// Writes a checkpoint now (sim must be at a consistent point).
  void write(const Simulation& sim, bool at_end);
  int written() const { return m_written; }
  /// Wall time of the whole run so far (earlier parts included), s.
  double wall_s() const;

 private:
  std::filesystem::path m_dir;
  const RunWriter& m_writer;
  std::string m_yaml;
  double m_interval_s, m_wall_before_s;
  std::function<void(const std::string&)> m_note;
  std::chrono::steady_clock::time_point m_start, m_last;
  std::int64_t m_calls = 0;
  int m_written = 0;
};

/// Restores `sim` and `writer` (both freshly built from the checkpoint's config) from
/// DIR/checkpoint.h5.
void restore_checkpoint(const std::filesystem::path& output_dir, Simulation& sim,
                        RunWriter& writer);

}  // namespace stz
