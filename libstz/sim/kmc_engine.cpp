#include "libstz/sim/kmc_engine.hpp"

#include "libstz/core/error.hpp"

namespace stz {

void save_engine_stats(StateWriter& out, const std::string& prefix, const EngineStats& s) {
  const std::vector<std::int64_t> counts{s.null_events,      s.candidates,      s.resolves,
                                         s.horizon_renewals, s.block_refreshes, s.rate_refreshes,
                                         s.budget_raises,    s.site_refreshes,  s.replayed_pairs,
                                         s.screened_nulls,   s.squeezed_nulls};
  out.put(prefix + "stats_counts", std::span<const std::int64_t>(counts));
  out.put_scalar(prefix + "stats_max_drift", s.max_drift);
}

EngineStats load_engine_stats(const StateReader& in, const std::string& prefix) {
  // Checkpoints written before screened_nulls (squeezed_nulls) existed hold 9 (10) counts; the
  // missing counters start from 0.
  std::vector<std::int64_t> c = in.integers(prefix + "stats_counts");
  if (c.size() == 9 || c.size() == 10) c.resize(11, 0);
  if (c.size() != 11)
    throw Error("checkpoint entry " + prefix + "stats_counts holds " + std::to_string(c.size()) +
                " values; expected 11");
  EngineStats s;
  s.null_events = c[0];
  s.candidates = c[1];
  s.resolves = c[2];
  s.horizon_renewals = c[3];
  s.block_refreshes = c[4];
  s.rate_refreshes = c[5];
  s.budget_raises = c[6];
  s.site_refreshes = c[7];
  s.replayed_pairs = c[8];
  s.screened_nulls = c[9];
  s.squeezed_nulls = c[10];
  s.max_drift = in.scalar(prefix + "stats_max_drift");
  return s;
}

}  // namespace stz
