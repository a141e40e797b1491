#include "libstz/io/run_log.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"
#include "libstz/core/version.hpp"
#include "libstz/io/provenance.hpp"
#include "libstz/io/run_writer.hpp"

namespace stz {

std::string format_duration(double s) {
  char buf[32];
  if (!(s >= 0) || !std::isfinite(s))
    std::snprintf(buf, sizeof buf, "?");
  else if (s < 120)
    std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 7200)
    std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
  else
    std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  return buf;
}

std::string progress_line(const std::string& label, double strain, double max_strain,
                          double stress_GPa, std::int64_t events, double elapsed_s, bool done) {
  const double rate = elapsed_s > 0 ? static_cast<double>(events) / elapsed_s : 0.0;
  // ETA from the measured event rate and the events per unit strain so far.
  const double events_left =
      strain > 0 ? static_cast<double>(events) / strain * (max_strain - strain) : -1.0;
  // Before yield the events per strain still grow, so the event-based ETA is low: take the
  // larger of it and the strain-based one.
  const double by_events = rate > 0 && events_left >= 0 ? events_left / rate : -1.0;
  const double by_strain = strain > 0 ? elapsed_s * (max_strain - strain) / strain : -1.0;
  const double left = std::max(by_events, by_strain);
  std::string tail;
  if (done) {
    tail.append("done in ").append(format_duration(elapsed_s));
  } else {
    tail.append("~").append(format_duration(left)).append(" left");
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s strain %.4f/%.4f  stress %.3f GPa  events %lld  %.0f ev/s  %s",
                label.c_str(), strain, max_strain, stress_GPa, static_cast<long long>(events), rate,
                tail.c_str());
  return buf;
}

std::string percolation_note(const RunSummary& s) {
  if (!s.percolated) return " (not percolated)";
  char text[64];
  std::snprintf(text, sizeof text, " (percolated at %.4f%s)", s.percolation_strain,
                s.censored ? ", censored: near a series end" : "");
  return text;
}

std::string summary_line(const RunSummary& s, const std::filesystem::path& output_dir) {
  char head[160];
  if (s.peak_is_final)
    std::snprintf(head, sizeof head,
                  "no stress peak (peak_is_final = true: the run ended before yield); final stress "
                  "%.3f GPa at true strain %.4f",
                  s.peak_stress_GPa, s.strain_at_peak);
  else
    std::snprintf(head, sizeof head, "peak stress %.3f GPa at true strain %.4f", s.peak_stress_GPa,
                  s.strain_at_peak);
  char buf[512];
  std::snprintf(buf, sizeof buf, "%s; CFV threshold strain %.4f%s; %lld events; results in %s/",
                head, s.threshold_strain, percolation_note(s).c_str(),
                static_cast<long long>(s.events_total), output_dir.string().c_str());
  return buf;
}

RunLog::RunLog(const std::filesystem::path& output_dir, const RunConfig& config,
               double wall_interval_s, bool append)
    : m_file(nullptr, &std::fclose),
      m_max_strain(config.sim.loading.max_strain),
      m_wall_interval_s(wall_interval_s),
      m_start(std::chrono::steady_clock::now()),
      m_last(m_start) {
  std::error_code ec;
  std::filesystem::create_directories(output_dir, ec);
  const auto path = output_dir / "run.log";
  m_file.reset(std::fopen(path.c_str(), append ? "a" : "w"));
  if (!m_file) throw IoError("cannot write " + path.string() + " (" + std::strerror(errno) + ")");
  line(append ? "# resumed from checkpoint.h5" : "# libstz run log");
  line("command: " + (command_line().empty() ? std::string("(library call)") : command_line()));
  line(std::string("version: ") + version_string() + " (" + git_commit() + ", " + build_type() +
       ", source dirty: " + source_dirty() + ")");
  line("host: " + host_name());
  line("date: " + utc_timestamp());
  line("threads: " + std::to_string(max_threads()));
  line("seed: " + std::to_string(config.sim.seed));
}

RunLog::~RunLog() = default;

void RunLog::line(const std::string& text) {
  if (!m_file) return;
  std::fprintf(m_file.get(), "%s\n", text.c_str());
  std::fflush(m_file.get());
}

void RunLog::progress(double strain, double stress_GPa, std::int64_t events, bool done) {
  const auto now = std::chrono::steady_clock::now();
  m_last = now;
  line(progress_line("run", strain, m_max_strain, stress_GPa, events,
                     std::chrono::duration<double>(now - m_start).count(), done));
}

void RunLog::on_series(const Simulation& sim, const SeriesPoint& p) {
  const double fraction = p.strain_eng / m_max_strain;
  const bool done = fraction >= 1.0 - 1e-9 && !sim.stopped();
  const int decile = static_cast<int>(fraction * 10.0 + 1e-9);
  if (decile <= m_last_decile && !done) return;
  m_last_decile = decile;
  progress(p.strain_eng, p.stress_GPa, p.events, done);
}

void RunLog::on_heartbeat(const Simulation& sim) {
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - m_last).count() < m_wall_interval_s) return;
  progress(sim.control_strain(), sim.loading().reported_stress(sim.mean_state().stress),
           sim.events(), false);
}

}  // namespace stz
