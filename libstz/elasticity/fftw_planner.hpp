// FFTW's planner (plan creation and destruction) is not thread-safe, and ensembles run members
// on parallel threads: every FFTW plan in libstz is made and destroyed under this one lock.
// (Execution of a plan is thread-safe.)
#pragma once

#include <mutex>

namespace stz::detail {
std::mutex& fftw_planner_mutex();
}  // namespace stz::detail
