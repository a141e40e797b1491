#include "libstz/ensemble/ensemble.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"
#include "libstz/core/stop_request.hpp"
#include "libstz/core/version.hpp"
#include "libstz/io/checkpoint.hpp"
#include "libstz/io/hdf5_file.hpp"
#include "libstz/io/provenance.hpp"
#include "libstz/io/run_log.hpp"

namespace stz {

RunConfig ConfigSource::load(const std::vector<std::string>& extra) const {
  std::vector<std::string> all = overrides;
  all.insert(all.end(), extra.begin(), extra.end());
  RunConfig config = load_config(file, all);
  if (!output_dir.empty()) config.output_dir = output_dir;
  return config;
}

Statistic statistic(const std::vector<double>& values) {
  Statistic s;
  double sum = 0;
  for (double v : values)
    if (std::isfinite(v)) sum += v, ++s.count;
  const double nan = std::nan("");
  if (s.count == 0) return {nan, nan, nan, 0};
  s.mean = sum / static_cast<double>(s.count);
  double ss = 0;
  for (double v : values)
    if (std::isfinite(v)) ss += (v - s.mean) * (v - s.mean);
  // One value has no spread to estimate: NaN, not 0 (a zero SD would read as "exact").
  s.sd = s.count > 1 ? std::sqrt(ss / static_cast<double>(s.count - 1)) : nan;
  s.se = s.count > 1 ? s.sd / std::sqrt(static_cast<double>(s.count)) : nan;
  return s;
}

namespace {

/// A run into `directory`, fresh or continued from its checkpoint (`resume`). `resolved_yaml`
/// is what run.h5 and the checkpoints record as the config.
RunSummary execute_run(const RunConfig& config, const std::string& resolved_yaml,
                       const std::filesystem::path& directory,
                       const std::vector<SimulationObserver*>& observers, bool resume) {
  const StructureMap structure = build_structure(config);
  Simulation sim(config.sim, structure);
  RunWriter writer(directory, config, resolved_yaml);
  double wall_before_s = 0.0;
  std::string resumed_line;
  if (resume) {
    const auto info = read_checkpoint_info(directory);
    if (!info) throw IoError(checkpoint_path(directory).string() + ": no checkpoint to resume");
    wall_before_s = info->wall_s;
    restore_checkpoint(directory, sim, writer);
    resumed_line = "resumed at strain " + std::to_string(sim.control_strain()) + " (" +
                   std::to_string(sim.events()) + " events, written by libstz " + info->version +
                   ")";
  }
  RunLog log(directory, config, 5.0, resume);
  if (resume) log.line(resumed_line);
  const double interval = config.sim.output.checkpoint_every_s;
  Checkpointer checkpoints(directory, writer, resolved_yaml, interval, wall_before_s,
                           [&log](const std::string& line) { log.line(line); });
  std::vector<SimulationObserver*> all{&writer, &log, &checkpoints};
  all.insert(all.end(), observers.begin(), observers.end());
  try {
    sim.run(all);
    writer.finish(sim, checkpoints.wall_s());
  } catch (const std::exception& e) {
    log.line(std::string("error: ") + e.what());
    throw;
  }
  const RunSummary& s = writer.summary();
  log.line(s.complete ? summary_line(s, directory)
                      : "stopped by signal " + std::to_string(stop_signal()) + " at strain " +
                            std::to_string(s.final_strain) + ": partial results written to " +
                            RunWriter::hdf5_path(directory).string() + " (complete = false); " +
                            resume_hint(directory, interval > 0.0));
  return s;
}

}  // namespace

std::string resume_hint(const std::filesystem::path& directory, bool checkpointed) {
  return checkpointed ? "continue with: stz resume " + directory.string()
                      : "no checkpoint (output.checkpoint_every_s = 0): it cannot be resumed";
}

RunSummary run_one(const RunConfig& config, const std::filesystem::path& directory,
                   const std::vector<SimulationObserver*>& observers) {
  return execute_run(config, resolved_config_yaml(config), directory, observers, false);
}

RunConfig checkpointed_config(const std::filesystem::path& directory) {
  const auto info = read_checkpoint_info(directory);
  if (!info)
    throw IoError(directory.string() + " holds no checkpoint.h5 to resume (checkpoints are " +
                  "written every output.checkpoint_every_s, on SIGINT/SIGTERM and at the end)");
  RunConfig config = parse_config(info->config_yaml, {}, checkpoint_path(directory).string());
  config.output_dir = directory.string();
  return config;
}

RunSummary resume_run(const std::filesystem::path& directory,
                      const std::vector<SimulationObserver*>& observers) {
  const RunConfig config = checkpointed_config(directory);
  return execute_run(config, read_checkpoint_info(directory)->config_yaml, directory, observers,
                     true);
}

MemberResult run_member(const ConfigSource& source, const MemberSpec& member,
                        const std::function<void(const MemberResult&)>& on_start,
                        ExistingResults existing) {
  MemberResult r;
  r.spec = member;
  try {
    const RunConfig config = source.load(r.spec.overrides);
    r.seed = config.sim.seed;
    if (stop_requested())
      throw Error("not run: stopped by signal " + std::to_string(stop_signal()));
    std::optional<RunSummary> done;
    if (existing == ExistingResults::resume)
      done = read_complete_run(r.spec.directory, resolved_config_yaml(config));
    std::optional<CheckpointInfo> checkpoint;
    if (existing == ExistingResults::resume && !done) {
      try {
        checkpoint = read_checkpoint_info(r.spec.directory);
      } catch (const IoError&) {
        checkpoint.reset();  // unreadable: rerun
      }
      if (checkpoint && checkpoint->config_yaml != resolved_config_yaml(config))
        checkpoint.reset();  // another config's: rerun
    }
    if (done) {
      r.summary = *done;
      r.resumed = true;
    } else {
      if (on_start) on_start(r);
      if (checkpoint) {
        r.summary = resume_run(r.spec.directory);
        r.continued = true;
      } else {
        clear_run_folder(r.spec.directory);
        r.summary = run_one(config, r.spec.directory);
      }
      if (!r.summary.complete)
        throw Error("stopped by signal " + std::to_string(stop_signal()) + " at strain " +
                    std::to_string(r.summary.final_strain) + "; partial results in " +
                    RunWriter::hdf5_path(r.spec.directory).string() + " (complete = false)");
    }
    r.ok = true;
  } catch (const std::exception& e) {
    r.ok = false;
    r.error = e.what();
  }
  return r;
}

std::vector<MemberResult> run_members(const ConfigSource& source,
                                      const std::vector<MemberSpec>& members, int threads,
                                      const MemberCallback& callback, ExistingResults existing) {
  std::vector<MemberResult> results(members.size());
  for (std::size_t i = 0; i < members.size(); ++i) results[i].spec = members[i];
  const int workers = static_cast<int>(
      std::min<std::size_t>(static_cast<std::size_t>(std::max(1, threads)), members.size()));
  const int inner = std::max(1, threads / std::max(1, workers));
  std::atomic<std::size_t> next{0};
  std::mutex callback_mutex;
  auto work = [&] {
    set_threads(inner);  // OpenMP thread count is per calling thread
    for (std::size_t i = next++; i < members.size(); i = next++) {
      MemberResult& r = results[i];
      r = run_member(
          source, r.spec,
          [&](const MemberResult& started) {
            if (!callback) return;
            std::lock_guard<std::mutex> lock(callback_mutex);
            callback(started, false);
          },
          existing);
      if (callback) {
        std::lock_guard<std::mutex> lock(callback_mutex);
        callback(r, true);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return results;
}

std::vector<MemberSpec> ensemble_members(const RunConfig& base, int seeds,
                                         const std::filesystem::path& directory) {
  if (seeds < 1 || seeds > 100000)
    throw ConfigError("ensemble.seeds", std::to_string(seeds), "an integer in [1, 100000]");
  if (base.sim.seed >
      std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(seeds - 1))
    throw ConfigError("run.seed", std::to_string(base.sim.seed),
                      "a seed that leaves room for " + std::to_string(seeds) +
                          " consecutive member seeds (at most 2^64 - " + std::to_string(seeds) +
                          ")");
  std::vector<MemberSpec> members;
  for (int k = 0; k < seeds; ++k) {
    const std::uint64_t seed = base.sim.seed + static_cast<std::uint64_t>(k);
    MemberSpec m;
    m.label = "seed_" + std::to_string(seed);
    m.overrides = {"run.seed=" + std::to_string(seed)};
    m.directory = directory / m.label;
    members.push_back(std::move(m));
  }
  return members;
}

namespace {
// A folder name from "key=value" text: keep it readable, replace what file systems dislike.
std::string folder_name(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool plain = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                       c == '-' || c == '=' || c == ',';
    out += plain ? c : '_';
  }
  return out;
}
}  // namespace

std::vector<MemberSpec> sweep_members(const RunConfig& base,
                                      const std::filesystem::path& directory) {
  const auto& sw = base.sweep;
  if (sw.keys.empty() || sw.keys.size() > 2 || sw.values.size() != sw.keys.size())
    throw ConfigError(
        "sweep", std::to_string(sw.keys.size()) + " keys",
        "sweep.key with sweep.values, or sweep.keys (two) with sweep.values (two lists)");
  std::vector<std::vector<std::string>> points;  // each: overrides "key=value"
  for (const auto& v0 : sw.values[0]) {
    if (sw.keys.size() == 1) {
      points.push_back({sw.keys[0] + "=" + v0});
    } else {
      for (const auto& v1 : sw.values[1])
        points.push_back({sw.keys[0] + "=" + v0, sw.keys[1] + "=" + v1});
    }
  }
  std::vector<MemberSpec> members;
  for (const auto& point : points) {
    // One name for the folder and the CSV/HDF5 group, so tools can find a row's runs.
    std::string raw = point[0];
    if (point.size() > 1) raw += "," + point[1];
    const std::string group = folder_name(raw);
    for (const auto& m : ensemble_members(base, base.ensemble.seeds, directory / group)) {
      MemberSpec s = m;
      s.group = group;
      s.label = group + "/" + m.label;
      s.overrides.insert(s.overrides.begin(), point.begin(), point.end());
      members.push_back(std::move(s));
    }
  }
  return members;
}

void prepare_collection_folder(const std::filesystem::path& directory, const std::string& name,
                               const std::vector<MemberSpec>& members, ExistingResults existing) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) return;
  if (existing == ExistingResults::refuse) {
    std::string found;
    for (const char* ext : {".csv", ".h5"})
      if (fs::exists(directory / (name + ext), ec)) found = name + ext;
    for (const auto& m : members)
      if (found.empty() && fs::exists(RunWriter::hdf5_path(m.directory), ec))
        found = fs::relative(RunWriter::hdf5_path(m.directory), directory, ec).string();
    if (!found.empty())
      throw ConfigError("run.output_dir", directory.string(),
                        "a folder without earlier results (it holds " + found +
                            "); use --overwrite to replace them, --resume to keep complete runs, "
                            "or another -o");
    return;
  }
  remove_stale_temporaries(directory);
  // Member folders this run will not write: seed_<n> beyond --seeds, sweep points no longer
  // swept. Only folders shaped like ours (seed_<n>, or holding seed_<n>/run.h5) are removed.
  std::set<fs::path> wanted;
  for (const auto& m : members) {
    wanted.insert(m.directory.lexically_normal());
    wanted.insert(m.directory.parent_path().lexically_normal());
  }
  auto is_seed_folder = [](const fs::path& p) {
    const std::string n = p.filename().string();
    return n.size() > 5 && n.starts_with("seed_") &&
           n.find_first_not_of("0123456789", 5) == std::string::npos;
  };
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory() || wanted.count(it->path().lexically_normal())) continue;
    bool ours = is_seed_folder(it->path());
    if (!ours)
      for (fs::directory_iterator sub(it->path(), ec); !ec && sub != end; sub.increment(ec))
        ours = ours || (is_seed_folder(sub->path()) && fs::exists(sub->path() / "run.h5"));
    if (!ours) continue;
    std::error_code rm;
    fs::remove_all(it->path(), rm);
    if (rm)
      throw IoError("cannot remove " + it->path().string() +
                    " of the previous run: " + rm.message());
  }
  for (const auto& m : members) {
    if (m.directory.parent_path().lexically_normal() == directory.lexically_normal()) continue;
    for (fs::directory_iterator it(m.directory.parent_path(), ec), end; !ec && it != end;
         it.increment(ec))
      if (it->is_directory() && is_seed_folder(it->path()) &&
          !wanted.count(it->path().lexically_normal())) {
        std::error_code rm;
        fs::remove_all(it->path(), rm);
      }
  }
  // Plots of the old summary (scripts/plot_results.py) would not match the new one.
  for (const char* plot : {"_stress_strain.png", "_cfv.png", "_threshold_strain.png"})
    fs::remove(directory / (name + plot), ec);
}

void write_summary(const std::filesystem::path& directory, const std::string& name,
                   const std::vector<MemberResult>& results, const std::string& config) {
  // Groups in first-appearance order.
  std::vector<std::string> groups;
  std::map<std::string, std::vector<const MemberResult*>> by_group;
  for (const auto& r : results) {
    if (!by_group.count(r.spec.group)) groups.push_back(r.spec.group);
    by_group[r.spec.group].push_back(&r);
  }
  std::ostringstream csv;
  csv << std::setprecision(10);
  csv << "# libstz " << name
      << " summary; threshold_strain, percolation_strain and strain_at_peak are true strains, "
         "peak_stress in GPa; per group, rows 'mean', 'sd' (sample, n-1; NaN for n < 2), 'se' "
         "(sd/sqrt(n)) and 'n' (values counted): threshold and percolation strains over the "
         "runs that percolated, the rest over finished runs\n";
  csv << "group,member,seed,status,threshold_strain,threshold_strain_raw,percolated,censored,"
         "percolation_strain,peak_stress_GPa,strain_at_peak,final_stress_GPa,events_total,wall_s,"
         "error\n";
  auto quoted = [](std::string s) {
    for (auto& c : s)
      if (c == '"' || c == '\n') c = '\'';
    return "\"" + s + "\"";
  };
  Hdf5Writer h5(directory / (name + ".h5"));
  int gi = 0;
  for (const auto& g : groups) {
    const auto& rs = by_group[g];
    std::vector<double> th, th_raw, perc, peak, at, seeds, ok, percolated, censored;
    for (const auto* r : rs) {
      const RunSummary& s = r->summary;
      csv << quoted(g) << "," << quoted(r->spec.label) << "," << r->seed << ","
          << (r->ok ? "ok" : "failed") << ",";
      if (r->ok)
        csv << s.threshold_strain << "," << s.threshold_strain_raw << ","
            << (s.percolated ? "true" : "false") << "," << (s.censored ? "true" : "false") << ","
            << s.percolation_strain << "," << s.peak_stress_GPa << "," << s.strain_at_peak << ","
            << s.final_stress_GPa << "," << s.events_total << "," << s.wall_s << ",\n";
      else
        csv << ",,,,,,,,,," << quoted(r->error) << "\n";
      const double nan = std::nan("");
      const bool counted = r->ok && s.percolated;  // threshold statistics: percolated runs only
      seeds.push_back(static_cast<double>(r->seed));
      ok.push_back(r->ok ? 1.0 : 0.0);
      percolated.push_back(r->ok ? (s.percolated ? 1.0 : 0.0) : nan);
      censored.push_back(r->ok ? (s.censored ? 1.0 : 0.0) : nan);
      th.push_back(counted ? s.threshold_strain : nan);
      th_raw.push_back(counted ? s.threshold_strain_raw : nan);
      perc.push_back(counted ? s.percolation_strain : nan);
      peak.push_back(r->ok ? s.peak_stress_GPa : nan);
      at.push_back(r->ok ? s.strain_at_peak : nan);
    }
    const Statistic st = statistic(th), sp = statistic(peak), sa = statistic(at),
                    sr = statistic(th_raw), sq = statistic(perc);
    const std::pair<const char*, double Statistic::*> rows[] = {
        {"mean", &Statistic::mean}, {"sd", &Statistic::sd}, {"se", &Statistic::se}};
    for (const auto& [row, field] : rows)
      csv << quoted(g) << "," << row << ",,," << st.*field << "," << sr.*field << ",,," << sq.*field
          << "," << sp.*field << "," << sa.*field << ",,,,\n";
    csv << quoted(g) << ",n,,," << st.count << "," << sr.count << ",,," << sq.count << ","
        << sp.count << "," << sa.count << ",,,,\n";
    const std::string path = "/groups/" + std::to_string(gi++);
    h5.create_group(path);
    h5.attribute(path, "group", g.empty() ? std::string("ensemble") : g);
    h5.write(path + "/seed", seeds, {seeds.size()});
    h5.write(path + "/ok", ok, {ok.size()});
    h5.write(path + "/percolated", percolated, {percolated.size()});
    h5.write(path + "/censored", censored, {censored.size()});
    h5.write(path + "/threshold_strain", th, {th.size()});
    h5.write(path + "/threshold_strain_raw", th_raw, {th_raw.size()});
    h5.write(path + "/percolation_strain", perc, {perc.size()});
    h5.write(path + "/peak_stress_GPa", peak, {peak.size()});
    h5.write(path + "/strain_at_peak", at, {at.size()});
    for (const auto& [stat_name, s] : {std::pair<std::string, Statistic>{"threshold_strain", st},
                                       {"threshold_strain_raw", sr},
                                       {"percolation_strain", sq},
                                       {"peak_stress_GPa", sp},
                                       {"strain_at_peak", sa}}) {
      h5.attribute(path, stat_name + "_mean", s.mean);
      h5.attribute(path, stat_name + "_sd", s.sd);
      h5.attribute(path, stat_name + "_se", s.se);
      h5.attribute(path, stat_name + "_count", static_cast<std::int64_t>(s.count));
    }
  }
  h5.attribute("/", "groups", static_cast<std::int64_t>(groups.size()));
  h5.attribute("/", "format", "libstz-" + name);
  h5.attribute("/", "version", std::string(version_string()));
  h5.attribute("/", "git_commit", std::string(git_commit()));
  if (!config.empty()) h5.attribute("/", "config", config);
  h5.attribute("/", "date", utc_timestamp());
  h5.attribute("/", "host", host_name());
  h5.attribute("/", "command_line", command_line());
  std::int64_t failed = 0, resumed = 0;
  for (const auto& r : results) failed += !r.ok, resumed += r.resumed;
  h5.attribute("/", "members", static_cast<std::int64_t>(results.size()));
  h5.attribute("/", "failed", failed);
  h5.attribute("/", "resumed", resumed);
  h5.commit();
  write_text_file_atomically(directory / (name + ".csv"), csv.str());
}

}  // namespace stz
