// stz — the libstz command line (SPEC 5).
//
//   stz run CONFIG.yaml [-o DIR] [--set key.path=value]... [--seed N] [--threads N] [--quiet]
//                       [--overwrite]
//   stz ensemble CONFIG.yaml [--seeds N] [-o DIR] [--set ...] [--seed N] [--threads N] [--quiet]
//                       [--overwrite | --resume]
//   stz sweep CONFIG.yaml [-o DIR] [--set ...] [--seed N] [--threads N] [--quiet]
//                       [--overwrite | --resume]
//   stz check CONFIG.yaml [--set ...] [--seed N]     validate, print the resolved config
//   stz resume DIR [--threads N] [--quiet]     continue a run from DIR/checkpoint.h5
//   stz --version
//   mpirun -np K stz ensemble|sweep ...     members over K ranks (built with STZ_ENABLE_MPI)
//
// Errors: one line on stderr starting "stz: error:" and exit status 1, whether the command line,
// the config or a run failed (a failed ensemble member too); 130 / 143 after SIGINT / SIGTERM
// (the partial results are written, run.h5 says complete = false).
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "apps/progress_reporter.hpp"
#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"
#include "libstz/core/stop_request.hpp"
#include "libstz/core/version.hpp"
#include "libstz/ensemble/ensemble.hpp"
#include "libstz/io/checkpoint.hpp"
#include "libstz/io/provenance.hpp"
#include "libstz/io/resources.hpp"
#include "libstz/io/run_log.hpp"
#include "libstz/model/stz_model.hpp"
#ifdef STZ_WITH_MPI
#include "apps/mpi_ensemble.hpp"
#endif

namespace {

constexpr int kExitBadInput = 1;  // CLI11 would use its own codes (105, 106, ...)
constexpr int kMaxThreads = 4096;

#ifdef STZ_WITH_MPI
// Set in main when an MPI launcher started this process; null otherwise.
stz::app::mpi::Session* g_mpi = nullptr;
#endif
// Whether this process is one of several MPI ranks.
bool mpi_ranks() {
#ifdef STZ_WITH_MPI
  return g_mpi != nullptr && g_mpi->size() > 1;
#else
  return false;
#endif
}
// `run` and `check` do one thing: under mpirun -np K every rank would do it (into one folder).
void refuse_mpi_ranks(const char* command) {
  if (mpi_ranks())
    throw stz::ConfigError(
        "mpirun -np", "more than 1 rank for 'stz " + std::string(command) + "'",
        "1 rank; only 'stz ensemble' and 'stz sweep' distribute work over ranks");
}

struct CommonOptions {
  std::string config;
  std::string output;
  std::vector<std::string> sets;
  std::optional<std::string> seed;  // text: validated here so -1 or 2^64 are refused, not clamped
  std::optional<int> threads;
  bool quiet = false;
  bool overwrite = false;
  bool resume = false;

  void add_to(CLI::App& cmd, bool runs, bool collection) {
    cmd.add_option("CONFIG", config, "YAML config file")->required();
    cmd.add_option("--set", sets, "override a config key: key.path=value (value parsed as YAML)")
        ->take_all()
        ->allow_extra_args(false);
    cmd.add_option("--seed", seed, "random seed (overrides run.seed), 0 .. 2^64-1");
    if (runs) {
      cmd.add_option("-o,--output", output, "output directory (overrides run.output_dir)");
      cmd.add_option("--threads", threads, "threads to use, >= 1 (default: all cores)");
      cmd.add_flag("--quiet", quiet, "no progress output");
      auto* ow = cmd.add_flag("--overwrite", overwrite,
                              "replace the results of an earlier run in the output folder");
      if (collection)
        cmd.add_flag("--resume", resume,
                     "keep members whose run.h5 is complete with the same config; rerun the rest")
            ->excludes(ow);
    }
  }
  stz::ConfigSource source() const {
    stz::ConfigSource s{config, sets, output};
    if (seed) {
      std::uint64_t value = 0;
      const std::string& t = *seed;
      const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
      if (t.empty() || ec != std::errc() || end != t.data() + t.size())
        throw stz::ConfigError("--seed", t, "an integer in [0, 18446744073709551615]");
      s.overrides.push_back("run.seed=" + std::to_string(value));
    }
    return s;
  }
  int thread_count() const {
    if (threads) {
      if (*threads < 1 || *threads > kMaxThreads)
        throw stz::ConfigError("--threads", std::to_string(*threads),
                               "a thread count in [1, " + std::to_string(kMaxThreads) + "]");
      return *threads;
    }
#ifdef STZ_WITH_MPI
    if (mpi_ranks()) return g_mpi->default_threads();  // per rank
#endif
    const unsigned hw = std::thread::hardware_concurrency();
    return hw > 0 ? static_cast<int>(hw) : 1;
  }
  stz::ExistingResults existing() const {
    return resume      ? stz::ExistingResults::resume
           : overwrite ? stz::ExistingResults::overwrite
                       : stz::ExistingResults::refuse;
  }
};

/// After SIGINT/SIGTERM: 128 + the signal number (130, 143), as a shell reports it.
int interrupted_exit_code() {
  return 128 + stz::stop_signal();
}

extern "C" void on_stop_signal(int signal_number) {
  stz::request_stop(signal_number);
}

/// SIGINT/SIGTERM ask the run to stop after the current event; a second one kills (SA_RESETHAND).
void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int command_check(const CommonOptions& o) {
  refuse_mpi_ranks("check");
  const stz::RunConfig config = o.source().load();
  const stz::StructureMap structure = stz::build_structure(config);  // imports validated too
  std::cout << stz::resolved_config_yaml(config);
  // stdout is exactly the resolved config (it round-trips; Python's Config.yaml equals it); the
  // estimate and the map report go to stderr, the limit only when it is exceeded.
  const double estimate = stz::estimate_peak_memory_bytes(config);
  std::fprintf(stderr, "stz: estimated peak memory of one run: %s\n",
               stz::memory_text(estimate).c_str());
  const stz::MemoryLimit limit = stz::memory_limit(config);
  if (estimate > limit.bytes)
    std::fprintf(stderr,
                 "stz: warning: the estimated peak memory %s exceeds the limit %s (%s): "
                 "run would refuse this config\n",
                 stz::memory_text(estimate).c_str(), stz::memory_text(limit.bytes).c_str(),
                 limit.source.c_str());
  for (const auto& line : stz::imported_map_report(config, structure))
    std::fprintf(stderr, "stz: %s\n", line.c_str());
  if (config.sim.model.cluster.shape != stz::ClusterShape::voxel) {
    const stz::Grid grid = config.sim.grid.make();
    const stz::StzCluster cluster = stz::make_stz_cluster(grid, config.sim.model.cluster);
    std::fprintf(stderr, "stz: STZ cluster of %zu voxels (reach %d), STZ volume %.4g nm^3\n",
                 cluster.size(), cluster.reach(),
                 stz::stz_volume_nm3(grid, config.sim.model.cluster, cluster));
  }
  return 0;
}

/// Refuses (one line) to mix a new run into an earlier one's folder unless --overwrite: a
/// folder holding run.h5, or a checkpoint (of this config: resume it; of another: refuse).
void prepare_run_folder(const stz::RunConfig& config, bool overwrite) {
  const std::string& dir = config.output_dir;
  if (overwrite) {
    stz::clear_run_folder(dir);
    return;
  }
  std::error_code ec;
  if (std::filesystem::exists(stz::RunWriter::hdf5_path(dir), ec))
    throw stz::ConfigError("run.output_dir", dir,
                           "a folder without an earlier run (it holds run.h5); use --overwrite "
                           "to replace it, or another -o");
  std::optional<stz::CheckpointInfo> checkpoint;
  try {
    checkpoint = stz::read_checkpoint_info(dir);
  } catch (const stz::IoError& e) {
    throw stz::ConfigError("run.output_dir", dir,
                           std::string("a folder without an unreadable checkpoint.h5 (") +
                               e.what() + "); use --overwrite to replace it, or another -o");
  }
  if (!checkpoint) return;
  char strain[32];
  std::snprintf(strain, sizeof strain, "%.4f", checkpoint->strain);
  if (checkpoint->config_yaml == stz::resolved_config_yaml(config))
    throw stz::ConfigError("run.output_dir", dir,
                           std::string("a folder without an interrupted run (it holds a "
                                       "checkpoint of this config at strain ") +
                               strain + "); continue it with 'stz resume " + dir +
                               "', or use --overwrite to start again");
  throw stz::ConfigError("run.output_dir", dir,
                         std::string("a folder without another run's checkpoint (checkpoint.h5 "
                                     "at strain ") +
                             strain +
                             " has a different config); use --overwrite to replace "
                             "it, or another -o");
}

/// What `run` and `resume` print after the simulation.
int report_run(const stz::RunSummary& s, const std::string& dir, double checkpoint_every_s,
               bool quiet) {
  if (!s.complete) {
    std::fprintf(stderr,
                 "stz: stopped by signal %d at strain %.4f: partial results written to "
                 "%s/run.h5 (complete = false); %s\n",
                 stz::stop_signal(), s.final_strain, dir.c_str(),
                 stz::resume_hint(dir, checkpoint_every_s > 0.0).c_str());
    return interrupted_exit_code();
  }
  if (!quiet) std::fprintf(stderr, "%s\n", stz::summary_line(s, dir).c_str());
  return 0;
}

int command_run(const CommonOptions& o) {
  refuse_mpi_ranks("run");
  const int threads = o.thread_count();
  const stz::RunConfig config = o.source().load();
  stz::check_memory(config);
  prepare_run_folder(config, o.overwrite);
  if (config.mro_map)  // what was imported (warnings even with --quiet)
    for (const auto& line : stz::imported_map_report(config, stz::build_structure(config)))
      if (!o.quiet || line.starts_with("warning:")) std::fprintf(stderr, "stz: %s\n", line.c_str());
  stz::set_threads(threads);
  stz::app::ProgressReporter progress("run", config.sim.loading.max_strain);
  std::vector<stz::SimulationObserver*> observers;
  if (!o.quiet) observers.push_back(&progress);
  const stz::RunSummary s = stz::run_one(config, config.output_dir, observers);
  return report_run(s, config.output_dir, config.sim.output.checkpoint_every_s, o.quiet);
}

struct ResumeOptions {
  std::string directory;
  std::optional<int> threads;
  bool quiet = false;
};

int command_resume(const ResumeOptions& r) {
  refuse_mpi_ranks("resume");
  CommonOptions o;
  o.threads = r.threads;
  const int threads = o.thread_count();
  const stz::RunConfig config = stz::checkpointed_config(r.directory);
  const auto info = stz::read_checkpoint_info(r.directory);
  if (stz::read_complete_run(r.directory, info->config_yaml)) {
    if (!r.quiet)
      std::fprintf(stderr, "stz: %s/run.h5 is already complete; nothing to resume\n",
                   r.directory.c_str());
    return 0;
  }
  stz::check_memory(config);
  stz::set_threads(threads);
  if (!r.quiet)
    std::fprintf(stderr, "stz: resuming %s at strain %.4f (%lld events)\n", r.directory.c_str(),
                 info->strain, static_cast<long long>(info->events));
  stz::app::ProgressReporter progress("run", config.sim.loading.max_strain);
  std::vector<stz::SimulationObserver*> observers;
  if (!r.quiet) observers.push_back(&progress);
  const stz::RunSummary s = stz::resume_run(r.directory, observers);
  return report_run(s, r.directory, config.sim.output.checkpoint_every_s, r.quiet);
}

int write_summaries(const CommonOptions& o, const std::vector<stz::MemberResult>& results,
                    const std::string& directory, const std::string& name,
                    const std::string& resolved_config) {
  stz::write_summary(directory, name, results, resolved_config);
  std::size_t failed = 0;
  for (const auto& r : results) failed += !r.ok;
  if (stz::stop_requested()) {
    std::fprintf(stderr,
                 "stz: stopped by signal %d: %zu of %zu runs finished; summary of those in "
                 "%s/%s.csv (rerun with --resume to finish the rest)\n",
                 stz::stop_signal(), results.size() - failed, results.size(), directory.c_str(),
                 name.c_str());
    return interrupted_exit_code();
  }
  if (!o.quiet || failed > 0)
    std::fprintf(stderr, "%s: %zu runs, %zu failed; summary in %s/%s.csv and %s.h5\n", name.c_str(),
                 results.size(), failed, directory.c_str(), name.c_str(), name.c_str());
  return failed == 0 ? 0 : 1;
}

int run_many(const CommonOptions& o, const std::vector<stz::MemberSpec>& members,
             const std::string& directory, const std::string& name,
             const std::string& resolved_config) {
  const int threads = o.thread_count();
  // Memory: as many members at once as run_members will run.
  const int parallel =
      static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), members.size()));
  for (const auto& m : members) stz::check_memory(o.source().load(m.overrides), parallel);
#ifdef STZ_WITH_MPI
  if (!mpi_ranks() || g_mpi->rank() == 0)  // one rank tidies the folder
#endif
    stz::prepare_collection_folder(directory, name, members, o.existing());
  std::size_t finished = 0;
  const auto start = std::chrono::steady_clock::now();
  auto callback = [&](const stz::MemberResult& r, bool done) {
    if (o.quiet) return;
    if (!done) {
      std::fprintf(stderr, "[%s] start %s (seed %llu)\n", name.c_str(), r.spec.label.c_str(),
                   static_cast<unsigned long long>(r.seed));
      return;
    }
    ++finished;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double left =
        elapsed / static_cast<double>(finished) * static_cast<double>(members.size() - finished);
    if (r.ok)
      std::fprintf(stderr,
                   "[%s] %zu/%zu %s %s: threshold strain %.4f%s, peak %.3f GPa%s (~%s left)\n",
                   name.c_str(), finished, members.size(), r.resumed ? "kept (complete)" : "done",
                   r.spec.label.c_str(), r.summary.threshold_strain,
                   stz::percolation_note(r.summary).c_str(), r.summary.peak_stress_GPa,
                   r.summary.peak_is_final ? " (final stress: no peak)" : "",
                   stz::format_duration(left).c_str());
    else
      std::fprintf(stderr, "[%s] %zu/%zu FAILED %s: %s\n", name.c_str(), finished, members.size(),
                   r.spec.label.c_str(), r.error.c_str());
  };
#ifdef STZ_WITH_MPI
  if (mpi_ranks()) {
    // Every rank runs members; rank 0 alone reports them and writes the summary.
    const auto results =
        stz::app::mpi::run_members(*g_mpi, o.source(), members, threads, callback, o.existing());
    int status = 1;
    if (g_mpi->rank() == 0) {
      try {
        status = write_summaries(o, results, directory, name, resolved_config);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "stz: error: %s\n", e.what());
      }
    }
    return g_mpi->agree_status(status);
  }
#endif
  return write_summaries(o, stz::run_members(o.source(), members, threads, callback, o.existing()),
                         directory, name, resolved_config);
}

int command_ensemble(const CommonOptions& o, std::optional<int> seeds) {
  const stz::RunConfig config = o.source().load();
  const int n = seeds ? *seeds : config.ensemble.seeds;
  if (seeds && (n < 1 || n > 100000))
    throw stz::ConfigError("--seeds", std::to_string(n),
                           "an integer in [1, 100000] (as ensemble.seeds)");
  return run_many(o, stz::ensemble_members(config, n, config.output_dir), config.output_dir,
                  "ensemble", stz::resolved_config_yaml(config));
}

int command_sweep(const CommonOptions& o) {
  const stz::RunConfig config = o.source().load();
  return run_many(o, stz::sweep_members(config, config.output_dir), config.output_dir, "sweep",
                  stz::resolved_config_yaml(config));
}

}  // namespace

/// OpenMP threads that spin while they wait stall every parallel region when another process
/// holds a core (a 256×128 run on a shared 2-core machine fell to 9–32 events/s). Passive waiting
/// bounds that (14 s vs 36 s for a short spin) at −25 % on an idle machine (docs/performance.md).
/// libgomp reads OMP_WAIT_POLICY before main, so when the user has not chosen a policy, set it
/// and re-execute once (Linux). OMP_WAIT_POLICY=active is faster on a dedicated machine.
void prefer_passive_openmp_waiting(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  ::setenv("OMP_WAIT_POLICY", "passive", 1);
  ::execv("/proc/self/exe", argv);  // returns only on failure: then run with the default
}

int main(int argc, char** argv) {
  prefer_passive_openmp_waiting(argv);
  stz::set_command_line(stz::join_command_line(argc, argv));
#ifdef STZ_WITH_MPI
  std::unique_ptr<stz::app::mpi::Session> mpi;  // finalised when main returns
  try {
    mpi = stz::app::mpi::Session::start_if_launched(&argc, &argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stz: error: %s\n", e.what());
    return 1;
  }
  g_mpi = mpi.get();
#endif
  CLI::App app{"libstz: mesoscale shear-transformation-zone dynamics of metallic glasses"};
  app.set_version_flag("--version", std::string("stz ") + stz::version_string() + " (" +
                                        stz::git_commit() + ")\nbuild: " + stz::build_flags());
  app.require_subcommand(1);
  CommonOptions run_opts, ens_opts, sweep_opts, check_opts;
  std::optional<int> seeds;
  CLI::App* run =
      app.add_subcommand("run", "run one simulation (writes DIR/run.h5, run.xdmf, series.csv)");
  run_opts.add_to(*run, true, false);
  CLI::App* ens =
      app.add_subcommand("ensemble", "run a seed ensemble and summarize the threshold strain");
  ens_opts.add_to(*ens, true, true);
  ens->add_option("--seeds", seeds, "number of seeds (overrides ensemble.seeds)");
  CLI::App* sweep = app.add_subcommand("sweep", "run a parameter sweep (sweep.key/values) × seeds");
  sweep_opts.add_to(*sweep, true, true);
  CLI::App* check = app.add_subcommand("check", "validate a config and print it fully resolved");
  check_opts.add_to(*check, false, false);
  ResumeOptions resume_opts;
  CLI::App* resume =
      app.add_subcommand("resume", "continue an interrupted run from DIR/checkpoint.h5");
  resume->add_option("DIR", resume_opts.directory, "output folder of the run")->required();
  resume->add_option("--threads", resume_opts.threads, "threads to use, >= 1 (default: all cores)");
  resume->add_flag("--quiet", resume_opts.quiet, "no progress output");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    for (auto& c : what)
      if (c == '\n') c = ' ';
    std::fprintf(stderr, "stz: error: %s (see stz --help)\n", what.c_str());
    return kExitBadInput;
  }
  try {
    if (*run || *ens || *sweep || *resume) install_stop_handlers();
    if (*resume) return command_resume(resume_opts);
    if (*run) return command_run(run_opts);
    if (*ens) return command_ensemble(ens_opts, seeds);
    if (*sweep) return command_sweep(sweep_opts);
    if (*check) return command_check(check_opts);
  } catch (const stz::ConfigError& e) {
    std::fprintf(stderr, "stz: error: %s\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stz: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
