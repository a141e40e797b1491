// Output of one run (SPEC 5): DIR/run.h5 (resolved config, provenance, series, field snapshots,
// summary), DIR/run.xdmf (so ParaView opens every snapshot field) and DIR/series.csv.
//
// All three files are written atomically: run.h5 grows in a temporary file while the run goes
// (snapshots are written as they arrive, so memory stays at one field) and is renamed into place
// by finish(); a run that throws before finish() leaves no run.h5 (and no temporary file).
// Layouts, units and the XDMF conventions: docs/io.md. Fields are C-ordered (nx, ny[, nz]) in
// the grid's own index order (z fastest); tensors add a last axis of 6 Voigt components
// (xx, yy, zz, yz, xz, xy) with TENSOR shears.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "libstz/io/config.hpp"
#include "libstz/io/hdf5_file.hpp"
#include "libstz/sim/simulation.hpp"

namespace stz {

/// The scalar results of a run, as written to the /summary group of run.h5.
struct RunSummary {
  double peak_stress_GPa = 0;   ///< largest series stress
  double strain_at_peak = 0;    ///< true strain of the peak
  double threshold_strain = 0;  ///< CFV percolation threshold (true strain), smoothed; NaN: none
  double threshold_strain_raw = 0;  ///< same from the raw series; NaN: none
  /// The smoothed threshold lies within half a smoothing window of the series ends.
  bool censored = false;
  /// The largest cluster crossed (cfv.percolation: wraps — spanned) the box, with at least
  /// cfv.min_percolation_nm3, at some point; when false both threshold strains are NaN.
  bool percolated = false;
  double percolation_strain = 0;  ///< first true strain at which it did; NaN: never
  std::int64_t events_total = 0;
  std::int64_t athermal_events_total = 0;
  std::int64_t null_steps_total = 0;
  double wall_s = 0;                 ///< wall-clock time of the run, s
  double max_drift = 0;              ///< largest relative kernel-superposition drift at a re-solve
  std::int64_t avalanche_count = 0;  ///< completed athermal avalanches
  std::int64_t avalanche_max = 0;    ///< largest avalanche, events
  double final_strain = 0;           ///< control strain at the end
  double final_strain_true = 0;
  double final_stress_GPa = 0;
  double cfv_max_nm3_final = 0;
  bool cfv_spanning_final = false;
  /// False when the run stopped early (SIGINT/SIGTERM) before loading.max_strain.
  bool complete = true;
  /// True when the largest stress is the last series point: the run ended before yield, so the
  /// "peak" is only the final stress.
  bool peak_is_final = false;
};

/// What a run left in DIR: run.h5, run.xdmf, series.csv, run.log and the plots made from them
/// (stress_strain.png, cfv_strain.png, fields_*.png). Empty when DIR holds no run.
std::vector<std::filesystem::path> run_folder_files(const std::filesystem::path& output_dir);
/// Removes those files and stale temporaries, so a rerun leaves nothing of the old run behind.
void clear_run_folder(const std::filesystem::path& output_dir);

/// The summary of DIR/run.h5 when it is a complete run whose resolved config is `resolved_yaml`
/// (what `--resume` may skip); nullopt otherwise (missing, partial, other config, unreadable).
std::optional<RunSummary> read_complete_run(const std::filesystem::path& output_dir,
                                            const std::string& resolved_yaml);

/// The summary of a finished run from its series and final state (what finish() writes).
RunSummary summarize_run(const Simulation& sim, const std::vector<SeriesPoint>& series,
                         double wall_s);

/// One named scalar of /summary, with the type it has in run.h5.
struct SummaryValue {
  std::string name;
  std::variant<double, std::int64_t> value;
};
/// The /summary attributes of run.h5 in file order (series_points: the number of points).
std::vector<SummaryValue> summary_values(const RunSummary& summary, std::size_t series_points);

/// One /series column with its values, typed as in run.h5 (float64, int64, or int8 for flags).
struct SeriesColumnValues {
  std::string name, units, description;
  std::variant<std::vector<double>, std::vector<std::int64_t>, std::vector<std::int8_t>> values;
};
/// The /series columns of run.h5 for these points, in file order.
std::vector<SeriesColumnValues> series_table(const std::vector<SeriesPoint>& series);

/// One snapshot field of the current state: C-ordered dims (grid extents, plus 6 Voigt
/// components for tensors) and values typed as in run.h5.
struct SnapshotField {
  std::string name, units, description;
  std::vector<std::size_t> dims;
  std::variant<std::vector<double>, std::vector<std::int32_t>, std::vector<std::int8_t>> values;
};
/// Computes the field `name` (one of SPEC 5's snapshot fields, as validated by the config:
/// von_mises_plastic, von_mises_total, free_volume, cfv_largest, stz_type, domain_id,
/// stress_GPa, plastic_strain). Throws InternalError for another name.
SnapshotField snapshot_field(const Simulation& sim, const std::string& name);

/// Records a run while Simulation::run calls it, then writes the files in finish().
class RunWriter : public SimulationObserver {
 public:
  /// Opens DIR/run.h5 (temporary until finish()) and writes the root attributes. `resolved_yaml`
  /// is stored as the `config` attribute (normally resolved_config_yaml(config)).
  RunWriter(const std::filesystem::path& output_dir, const RunConfig& config,
            std::string resolved_yaml);
  ~RunWriter() override;
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;

  /// Keeps the point for /series and series.csv.
  void on_series(const Simulation& sim, const SeriesPoint& point) override;
  /// Writes /fields/<n>/<field> for every configured field; n counts the snapshots received.
  void on_snapshot(const Simulation& sim, int index, bool is_final) override;

  /// Writes /series, /summary and the RNG states, renames run.h5 into place, then writes
  /// run.xdmf and series.csv. Writes a final snapshot first if none was received. Call once.
  /// The root attribute `complete` is 0 when the simulation stopped early (sim.stopped()).
  void finish(const Simulation& sim, double wall_s);

  /// The summary finish() wrote.
  const RunSummary& summary() const { return m_summary; }
  /// The series points received so far.
  const std::vector<SeriesPoint>& series() const { return m_series; }

  /// Checkpoint (io/checkpoint.hpp): the series and snapshot records into `out`, and the
  /// snapshot groups written so far into `checkpoint` as /fields/<n>.
  void save_state(StateWriter& out, Hdf5Writer& checkpoint) const;
  /// Resume: takes the series, the snapshot records and the snapshot groups of a checkpoint, so
  /// the run continues as if never interrupted. Call before any snapshot arrives.
  void restore_state(const StateReader& in, const Hdf5Reader& checkpoint);

  /// The files of a run directory.
  static std::filesystem::path hdf5_path(const std::filesystem::path& output_dir);
  static std::filesystem::path xdmf_path(const std::filesystem::path& output_dir);
  static std::filesystem::path csv_path(const std::filesystem::path& output_dir);

 private:
  struct Snapshot {
    double strain = 0, strain_true = 0, time_s = 0;
    bool is_final = false;
  };
  void write_fields(const Simulation& sim, const std::string& group);
  std::string xdmf_text(const Grid& grid) const;
  std::string csv_text() const;

  std::filesystem::path m_dir;
  std::vector<std::string> m_fields;
  Hdf5Writer m_h5;
  std::vector<SeriesPoint> m_series;
  std::vector<Snapshot> m_snapshots;
  RunSummary m_summary;
  bool m_finished = false;
};

}  // namespace stz
