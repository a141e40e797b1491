// A tension run of a config from C++ with the installed library:
//   tension_from_cpp CONFIG.yaml OUTPUT_DIR [key=value ...]
// Writes OUTPUT_DIR/run.h5 and series.csv (as `stz run` does) and prints the summary.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "libstz/core/version.hpp"
#include "libstz/io/config.hpp"
#include "libstz/io/run_writer.hpp"
#include "libstz/sim/simulation.hpp"

namespace {
// An observer of the application's own: counts the series points the library reports.
struct Counter : stz::SimulationObserver {
  int points = 0;
  double last_stress_GPa = 0;
  void on_series(const stz::Simulation&, const stz::SeriesPoint& p) override {
    ++points;
    last_stress_GPa = p.stress_GPa;
  }
};
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: tension_from_cpp CONFIG.yaml OUTPUT_DIR [key=value ...]\n");
    return 2;
  }
  try {
    const std::vector<std::string> overrides(argv + 3, argv + argc);
    const stz::RunConfig config = stz::load_config(argv[1], overrides);
    const stz::StructureMap structure = stz::build_structure(config);
    stz::Simulation sim(config.sim, structure);
    stz::RunWriter writer(argv[2], config, stz::resolved_config_yaml(config));
    Counter counter;
    sim.run({&writer, &counter});
    writer.finish(sim, 0.0);
    const stz::RunSummary s = writer.summary();
    std::printf("libstz %s (%s)\n", stz::version_string(), stz::build_flags());
    std::printf("series points %d, final stress %.6f GPa, peak %.6f GPa, %lld events\n",
                counter.points, counter.last_stress_GPa, s.peak_stress_GPa,
                static_cast<long long>(s.events_total));
    // Inline accessors read members that lie behind Eigen fixed-size members (Simulation holds
    // MeanFieldLoading, which holds a 6×6 matrix): wrong values here mean the application and the
    // library disagree on the class layout (Eigen alignment).
    const stz::MeanFieldLoading& loading = sim.loading();
    std::printf("loading: %s, dimension %d, apparent modulus %.3f GPa\n",
                stz::to_string(loading.mode()), loading.dimension(), loading.apparent_modulus());
    const bool layout_ok = loading.dimension() == static_cast<int>(config.sim.grid.shape.size()) &&
                           loading.mode() == stz::LoadingMode::tension &&
                           loading.apparent_modulus() > 1.0 && loading.apparent_modulus() < 1000.0;
    if (!layout_ok) std::fprintf(stderr, "tension_from_cpp: class layout mismatch\n");
    return counter.points > 0 && layout_ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tension_from_cpp: error: %s\n", e.what());
    return 1;
  }
}
