// DIR/run.log of every run (SPEC 5): a plain-text record of how it went: command line,
// version, host, date, threads, progress lines (every 10 % of the strain and, while strain
// stands still, every few seconds of wall time, with the event rate and an ETA) and the final
// line. Written as it goes (a log, not a result: it is useful precisely when a run dies).
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "libstz/io/config.hpp"
#include "libstz/sim/simulation.hpp"

namespace stz {

struct RunSummary;

/// One progress line: strain reached, stress, events, event rate and the time left (or taken).
std::string progress_line(const std::string& label, double strain, double max_strain,
                          double stress_GPa, std::int64_t events, double elapsed_s, bool done);
/// "12 s", "3.4 min", "1.2 h".
std::string format_duration(double seconds);
/// The one-line result of a run (also what `stz run` prints).
std::string summary_line(const RunSummary& summary, const std::filesystem::path& output_dir);
/// Appended to a printed threshold strain: " (not percolated)", or where it percolated and
/// whether the estimate is censored (near a series end).
std::string percolation_note(const RunSummary& summary);

class RunLog : public SimulationObserver {
 public:
  /// Creates DIR/run.log and writes the header. `wall_interval_s`: progress while strain stands.
  /// `append`: a resumed run continues the log of its earlier part (header repeated).
  RunLog(const std::filesystem::path& output_dir, const RunConfig& config,
         double wall_interval_s = 5.0, bool append = false);
  ~RunLog() override;
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;

  void on_series(const Simulation& sim, const SeriesPoint& point) override;
  void on_heartbeat(const Simulation& sim) override;
  /// Appends a line (e.g. the final line) and flushes.
  void line(const std::string& text);

 private:
  void progress(double strain, double stress_GPa, std::int64_t events, bool done);

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> m_file;
  double m_max_strain;
  double m_wall_interval_s;
  std::chrono::steady_clock::time_point m_start, m_last;
  int m_last_decile = -1;
};

}  // namespace stz
