// Progress of a run on stderr: strain reached, events, events/s and the estimated time left.
// On a terminal one line is rewritten in place; in a log file a line is written every 10 % of the
// run. Lives in apps/ because the library never prints.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include <unistd.h>

#include "libstz/sim/simulation.hpp"

namespace stz::app {

class ProgressReporter : public SimulationObserver {
 public:
  ProgressReporter(std::string label, double max_strain)
      : m_label(std::move(label)),
        m_max_strain(max_strain),
        m_tty(::isatty(STDERR_FILENO) != 0),
        m_start(std::chrono::steady_clock::now()),
        m_last_print(m_start) {}

  void on_series(const Simulation&, const SeriesPoint& p) override {
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    const double fraction = p.strain_eng / m_max_strain;
    const bool done = fraction >= 1.0 - 1e-9;
    if (m_tty) {
      if (!done && std::chrono::duration<double>(now - m_last_print).count() < 0.5) return;
    } else {
      const int decile = static_cast<int>(fraction * 10.0 + 1e-9);
      if (decile <= m_last_decile && !done) return;
      m_last_decile = decile;
    }
    m_last_print = now;
    const double rate = elapsed > 0 ? static_cast<double>(p.events) / elapsed : 0.0;
    const double left = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
    std::fprintf(stderr, "%s%s strain %.4f/%.4f  stress %.3f GPa  events %lld  %.0f ev/s  %s%s",
                 m_tty ? "\r" : "", m_label.c_str(), p.strain_eng, m_max_strain, p.stress_GPa,
                 static_cast<long long>(p.events), rate,
                 done ? ("done in " + format_seconds(elapsed)).c_str()
                      : ("~" + format_seconds(left) + " left").c_str(),
                 m_tty ? (done ? "\n" : "   ") : "\n");
    std::fflush(stderr);
  }

  static std::string format_seconds(double s) {
    char buf[32];
    if (s < 120)
      std::snprintf(buf, sizeof buf, "%.0f s", s);
    else if (s < 7200)
      std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
    else
      std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
    return buf;
  }

 private:
  std::string m_label;
  double m_max_strain;
  bool m_tty;
  std::chrono::steady_clock::time_point m_start, m_last_print;
  int m_last_decile = -1;
};

}  // namespace stz::app
