// stz — the libstz command line (SPEC 5).
//
//   stz run CONFIG.yaml [-o DIR] [--set key.path=value]... [--seed N] [--threads N] [--quiet]
//   stz ensemble CONFIG.yaml [--seeds N] [-o DIR] [--set ...] [--seed N] [--threads N] [--quiet]
//   stz sweep CONFIG.yaml [-o DIR] [--set ...] [--seed N] [--threads N] [--quiet]
//   stz check CONFIG.yaml [--set ...] [--seed N]     validate, print the resolved config
//   stz --version
//   mpirun -np K stz ensemble|sweep ...     members over K ranks (built with STZ_ENABLE_MPI)
//
// Errors: one line on stderr, exit status 1 (2 for command-line usage errors).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "apps/progress_reporter.hpp"
#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"
#include "libstz/core/version.hpp"
#include "libstz/ensemble/ensemble.hpp"
#ifdef STZ_WITH_MPI
#include "apps/mpi_ensemble.hpp"
#endif

namespace {

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

// Appended to a printed threshold strain: why it is NaN, or that it is censored.
std::string percolation_note(const stz::RunSummary& s) {
  if (!s.percolated) return " (not percolated)";
  char text[64];
  std::snprintf(text, sizeof text, " (percolated at %.4f%s)", s.percolation_strain,
                s.censored ? ", censored: near a series end" : "");
  return text;
}

struct CommonOptions {
  std::string config;
  std::string output;
  std::vector<std::string> sets;
  long long seed = -1;
  int threads = 0;
  bool quiet = false;

  void add_to(CLI::App& cmd, bool runs) {
    cmd.add_option("CONFIG", config, "YAML config file")->required();
    cmd.add_option("--set", sets, "override a config key: key.path=value (value parsed as YAML)")
        ->take_all()
        ->allow_extra_args(false);
    cmd.add_option("--seed", seed, "random seed (overrides run.seed)");
    if (runs) {
      cmd.add_option("-o,--output", output, "output directory (overrides run.output_dir)");
      cmd.add_option("--threads", threads, "threads to use (default: all cores)");
      cmd.add_flag("--quiet", quiet, "no progress output");
    }
  }
  stz::ConfigSource source() const {
    stz::ConfigSource s{config, sets, output};
    if (seed >= 0) s.overrides.push_back("run.seed=" + std::to_string(seed));
    return s;
  }
  int thread_count() const {
    if (threads > 0) return threads;
#ifdef STZ_WITH_MPI
    if (mpi_ranks()) return g_mpi->default_threads();  // per rank
#endif
    const unsigned hw = std::thread::hardware_concurrency();
    return hw > 0 ? static_cast<int>(hw) : 1;
  }
};

int command_check(const CommonOptions& o) {
  refuse_mpi_ranks("check");
  const stz::RunConfig config = o.source().load();
  stz::build_structure(config);  // imported maps and MRO placement are validated too
  std::cout << stz::resolved_config_yaml(config);
  return 0;
}

int command_run(const CommonOptions& o) {
  if (o.threads < 0)
    throw stz::ConfigError("--threads", std::to_string(o.threads), "a positive thread count");
  refuse_mpi_ranks("run");
  const stz::RunConfig config = o.source().load();
  stz::set_threads(o.thread_count());
  stz::app::ProgressReporter progress("run", config.sim.loading.max_strain);
  std::vector<stz::SimulationObserver*> observers;
  if (!o.quiet) observers.push_back(&progress);
  const stz::RunSummary s = stz::run_one(config, config.output_dir, observers);
  if (!o.quiet)
    std::fprintf(
        stderr,
        "peak stress %.3f GPa at true strain %.4f; CFV threshold strain %.4f%s; %lld events; "
        "results in %s/\n",
        s.peak_stress_GPa, s.strain_at_peak, s.threshold_strain, percolation_note(s).c_str(),
        static_cast<long long>(s.events_total), config.output_dir.c_str());
  return 0;
}

int write_summaries(const CommonOptions& o, const std::vector<stz::MemberResult>& results,
                    const std::string& directory, const std::string& name) {
  stz::write_summary(directory, name, results);
  std::size_t failed = 0;
  for (const auto& r : results) failed += !r.ok;
  if (!o.quiet)
    std::fprintf(stderr, "%s: %zu runs, %zu failed; summary in %s/%s.csv and %s.h5\n", name.c_str(),
                 results.size(), failed, directory.c_str(), name.c_str(), name.c_str());
  return failed == 0 ? 0 : 1;
}

int run_many(const CommonOptions& o, const std::vector<stz::MemberSpec>& members,
             const std::string& directory, const std::string& name) {
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
      std::fprintf(
          stderr, "[%s] %zu/%zu done %s: threshold strain %.4f%s, peak %.3f GPa (~%s left)\n",
          name.c_str(), finished, members.size(), r.spec.label.c_str(), r.summary.threshold_strain,
          percolation_note(r.summary).c_str(), r.summary.peak_stress_GPa,
          stz::app::ProgressReporter::format_seconds(left).c_str());
    else
      std::fprintf(stderr, "[%s] %zu/%zu FAILED %s: %s\n", name.c_str(), finished, members.size(),
                   r.spec.label.c_str(), r.error.c_str());
  };
#ifdef STZ_WITH_MPI
  if (mpi_ranks()) {
    // Every rank runs members; rank 0 alone reports them and writes the summary.
    const auto results =
        stz::app::mpi::run_members(*g_mpi, o.source(), members, o.thread_count(), callback);
    int status = 1;
    if (g_mpi->rank() == 0) {
      try {
        status = write_summaries(o, results, directory, name);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "stz: error: %s\n", e.what());
      }
    }
    return g_mpi->agree_status(status);
  }
#endif
  return write_summaries(o, stz::run_members(o.source(), members, o.thread_count(), callback),
                         directory, name);
}

int command_ensemble(const CommonOptions& o, int seeds) {
  const stz::RunConfig config = o.source().load();
  const int n = seeds >= 0 ? seeds : config.ensemble.seeds;
  return run_many(o, stz::ensemble_members(config, n, config.output_dir), config.output_dir,
                  "ensemble");
}

int command_sweep(const CommonOptions& o) {
  const stz::RunConfig config = o.source().load();
  return run_many(o, stz::sweep_members(config, config.output_dir), config.output_dir, "sweep");
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
  int seeds = -1;
  CLI::App* run =
      app.add_subcommand("run", "run one simulation (writes DIR/run.h5, run.xdmf, series.csv)");
  run_opts.add_to(*run, true);
  CLI::App* ens =
      app.add_subcommand("ensemble", "run a seed ensemble and summarize the threshold strain");
  ens_opts.add_to(*ens, true);
  ens->add_option("--seeds", seeds, "number of seeds (overrides ensemble.seeds)");
  CLI::App* sweep = app.add_subcommand("sweep", "run a parameter sweep (sweep.key/values) × seeds");
  sweep_opts.add_to(*sweep, true);
  CLI::App* check = app.add_subcommand("check", "validate a config and print it fully resolved");
  check_opts.add_to(*check, false);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*run) return command_run(run_opts);
    if (*ens) return command_ensemble(ens_opts, seeds);
    if (*sweep) return command_sweep(sweep_opts);
    if (*check) return command_check(check_opts);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stz: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
