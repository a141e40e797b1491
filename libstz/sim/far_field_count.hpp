// How the fast engine's far-field work bound δ_b counts the deferred events of one source site
// (FastEngine::on_event, docs/kmc.md). Its own header so that SimulationParams can carry the
// choice without depending on the engine.
#pragma once

namespace stz {

/// How δ_b counts the deferred events of a source site (FastEngine::on_event, docs/kmc.md).
enum class FarFieldCount {
  net,            ///< their net eigenstrain where none was applied to the block yet (default)
  per_event,      ///< each event on its own (the bound before 2026-12-04; for comparisons)
  net_unguarded,  ///< the net always, ignoring what was applied: NOT a bound (negative control)
};

}  // namespace stz
