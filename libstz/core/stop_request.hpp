// A process-wide request to stop early (SIGINT/SIGTERM): the application's signal handler sets
// it, Simulation::run checks it between events and ends the run cleanly (the writer then marks
// run.h5 `complete = false`), and ensembles start no further members. Setting it is
// async-signal-safe (a lock-free atomic store); the library never installs handlers itself.
#pragma once

namespace stz {

/// Records a stop request (signal_number > 0; the first request wins). Async-signal-safe.
void request_stop(int signal_number) noexcept;
/// True once a stop was requested.
bool stop_requested() noexcept;
/// The signal number of the first request; 0 when none.
int stop_signal() noexcept;
/// Forgets the request (tests).
void clear_stop_request() noexcept;

}  // namespace stz
