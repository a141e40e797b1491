// Seed ensembles and parameter sweeps (SPEC 5): many runs of one config, each in its own folder,
// run in parallel on the available cores, then summarized (per-run values, mean ± standard
// deviation of the threshold strain, peak stress and strain at peak) in CSV and HDF5.
// Every member is deterministic on its own, so results do not depend on the scheduling.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "libstz/io/config.hpp"
#include "libstz/io/run_writer.hpp"

namespace stz {

/// Where a config comes from: a YAML file plus `--set` overrides (members add their own).
struct ConfigSource {
  std::filesystem::path file;
  std::vector<std::string> overrides;
  /// `-o DIR`: replaces run.output_dir after parsing (a path is not YAML: "a: b" must stay a
  /// path). Empty: keep the config's.
  std::string output_dir;
  /// The resolved config with extra overrides applied.
  RunConfig load(const std::vector<std::string>& extra = {}) const;
};

/// One run of an ensemble or sweep.
struct MemberSpec {
  std::string label;                   ///< e.g. "seed_3" or "mro.diameter_nm.mean=0.6/seed_3"
  std::vector<std::string> overrides;  ///< applied on top of the source's
  std::filesystem::path directory;
  std::string group;  ///< sweep point label ("" for ensembles)
};

struct MemberResult {
  MemberSpec spec;
  std::uint64_t seed = 0;
  bool ok = false;
  bool resumed = false;  ///< complete run.h5 with the same config found: not run again
  bool continued = false;  ///< continued from a checkpoint of the same config (--resume)
  std::string error;     ///< one line, when !ok
  RunSummary summary;
};

/// Mean, sample standard deviation (n − 1) and standard error of the mean (sd/√n) of the finite
/// values, and their count n. mean is NaN for n = 0; sd and se are NaN for n < 2.
struct Statistic {
  double mean = 0, sd = 0, se = 0;
  std::size_t count = 0;
};
Statistic statistic(const std::vector<double>& values);

/// Called before and after each member (from worker threads, serialised by the runner).
using MemberCallback = std::function<void(const MemberResult&, bool finished)>;

/// How run_members treats a folder that already holds results.
enum class ExistingResults {
  refuse,     ///< throw ConfigError naming the folder (suggests --overwrite / --resume)
  overwrite,  ///< run every member again, removing the previous run's files first
  resume,     ///< keep members whose run.h5 is complete with the same config, continue those with
              ///< a checkpoint of the same config (bit for bit), rerun the others
};

/// Runs the members on `threads` cores: min(threads, members) runs at a time, each with
/// threads / parallel OpenMP threads. A member that throws is reported in its result; the
/// others still run. After a stop request (core/stop_request.hpp) no member starts; running
/// ones end early and are reported failed (their partial run.h5 says complete = false).
/// Results are in the order of `members`.
std::vector<MemberResult> run_members(const ConfigSource& source,
                                      const std::vector<MemberSpec>& members, int threads,
                                      const MemberCallback& callback = {},
                                      ExistingResults existing = ExistingResults::overwrite);

/// Checks `directory` (the ensemble or sweep folder, summary `name`) before a run: with
/// `refuse`, throws when it holds earlier results (name.csv/.h5 or a member's run.h5); else
/// removes what a previous run left that this one will not rewrite: member folders not in
/// `members` (seed_<n> beyond --seeds, old sweep points) and plots of the old summary.
void prepare_collection_folder(const std::filesystem::path& directory, const std::string& name,
                               const std::vector<MemberSpec>& members, ExistingResults existing);

/// Runs one member (config from `source` plus the member's overrides, output in its folder) on
/// the calling thread's OpenMP threads: the unit of work of run_members and of the MPI driver
/// (apps/mpi_ensemble). Never throws: a failure is reported in the result (ok = false, error).
/// `on_start` (may be empty) is called once the seed is known, before the run.
MemberResult run_member(const ConfigSource& source, const MemberSpec& member,
                        const std::function<void(const MemberResult&)>& on_start = {},
                        ExistingResults existing = ExistingResults::overwrite);

/// Runs one config into `directory` (RunWriter output, run.log, checkpoints every
/// output.checkpoint_every_s) and returns its summary.
RunSummary run_one(const RunConfig& config, const std::filesystem::path& directory,
                   const std::vector<SimulationObserver*>& observers = {});

/// The config of the run checkpointed in `directory` (io/checkpoint.hpp), with run.output_dir
/// set to `directory`. Throws IoError when there is no readable checkpoint.
RunConfig checkpointed_config(const std::filesystem::path& directory);
/// Continues the run checkpointed in `directory` exactly where it stood (SPEC 4.8): the final
/// run.h5 equals that of an uninterrupted run except for the wall time and provenance.
RunSummary resume_run(const std::filesystem::path& directory,
                      const std::vector<SimulationObserver*>& observers = {});
/// How a stopped run in `directory` continues: "continue with: stz resume DIR", or why it can't.
std::string resume_hint(const std::filesystem::path& directory, bool checkpointed);

/// Members of a seed ensemble: seeds run.seed, run.seed + 1, ... in DIR/seed_<seed>.
std::vector<MemberSpec> ensemble_members(const RunConfig& base, int seeds,
                                         const std::filesystem::path& directory);
/// Members of a sweep: every point of sweep.keys × values (one key: a list; two: the grid),
/// each with ensemble.seeds seeds, in DIR/<key>=<value>[,<key>=<value>]/seed_<seed>.
std::vector<MemberSpec> sweep_members(const RunConfig& base,
                                      const std::filesystem::path& directory);

/// DIR/<name>.csv and DIR/<name>.h5: one row per member (with its `percolated` and `censored`
/// flags) and the statistics per group (all members form one group for an ensemble): rows
/// mean, sd, se and n. Threshold and percolation strains are summarized over the members that
/// percolated, the other columns over the finished members. Atomic writes.
/// `config` (the resolved base config, may be empty) and the version go into the root
/// attributes of name.h5.
void write_summary(const std::filesystem::path& directory, const std::string& name,
                   const std::vector<MemberResult>& results, const std::string& config = {});

}  // namespace stz
