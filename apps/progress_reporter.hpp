// Progress of a run on stderr: strain reached, events, events/s and the estimated time left.
// On a terminal one line is rewritten in place; in a log file a line is written every 10 % of the
// run and, while the strain stands still (avalanches, slow thermal steps), every few seconds of
// wall time. Lives in apps/ because the library never prints (the same lines go to run.log).
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include <unistd.h>

#include "libstz/io/run_log.hpp"
#include "libstz/sim/simulation.hpp"

namespace stz::app {

class ProgressReporter : public SimulationObserver {
 public:
  ProgressReporter(std::string label, double max_strain, double wall_interval_s = 5.0)
      : m_label(std::move(label)),
        m_max_strain(max_strain),
        m_tty(::isatty(STDERR_FILENO) != 0),
        m_wall_interval_s(m_tty ? 0.5 : wall_interval_s),
        m_start(std::chrono::steady_clock::now()),
        m_last_print(m_start) {}

  void on_series(const Simulation& sim, const SeriesPoint& p) override {
    const auto now = std::chrono::steady_clock::now();
    const double fraction = p.strain_eng / m_max_strain;
    const bool done = fraction >= 1.0 - 1e-9 && !sim.stopped();
    if (m_tty) {
      if (!done && seconds_since(m_last_print, now) < 0.5) return;
    } else {
      const int decile = static_cast<int>(fraction * 10.0 + 1e-9);
      if (decile <= m_last_decile && !done) return;
      m_last_decile = decile;
    }
    print(p.strain_eng, p.stress_GPa, p.events, done, now);
  }

  void on_heartbeat(const Simulation& sim) override {
    const auto now = std::chrono::steady_clock::now();
    if (seconds_since(m_last_print, now) < m_wall_interval_s) return;
    print(sim.control_strain(), sim.loading().reported_stress(sim.mean_state().stress),
          sim.events(), false, now);
  }

  static std::string format_seconds(double s) { return format_duration(s); }

 private:
  static double seconds_since(std::chrono::steady_clock::time_point a,
                              std::chrono::steady_clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  }
  void print(double strain, double stress, std::int64_t events, bool done,
             std::chrono::steady_clock::time_point now) {
    m_last_print = now;
    const std::string text = progress_line(m_label, strain, m_max_strain, stress, events,
                                           seconds_since(m_start, now), done);
    std::fprintf(stderr, "%s%s%s", m_tty ? "\r" : "", text.c_str(),
                 m_tty ? (done ? "\n" : "   ") : "\n");
    std::fflush(stderr);
  }

  std::string m_label;
  double m_max_strain;
  bool m_tty;
  double m_wall_interval_s;
  std::chrono::steady_clock::time_point m_start, m_last_print;
  int m_last_decile = -1;
};

}  // namespace stz::app
