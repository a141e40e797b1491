// FFTW's planner (creating and destroying plans) is not thread-safe across the whole process,
// so every file that plans takes this one lock; executing an existing plan needs none. Two
// locks (one per file) let concurrent runs (ensembles, Python threads) corrupt FFTW's heap.
#pragma once

#include <mutex>

namespace stz {

/// The process-wide lock around fftw_plan_* and fftw_destroy_plan.
std::mutex& fftw_planner_mutex();

}  // namespace stz
