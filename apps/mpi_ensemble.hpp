// Ensembles and sweeps over MPI ranks (`mpirun -np K stz ensemble|sweep ...`, built with
// STZ_ENABLE_MPI). Members are handed out one at a time from a work queue on rank 0 (members
// differ in cost), each rank runs its member with its own OpenMP threads and writes the member's
// folder, rank 0 collects the summaries and writes ensemble.csv/.h5. Every member is
// deterministic on its own, so the results are those of the single-process run for any K.
// Rank 0 runs members too: a worker thread computes while the main thread serves the queue.
#pragma once

#include <memory>
#include <vector>

#include "libstz/ensemble/ensemble.hpp"

namespace stz::app::mpi {

/// MPI_Init_thread … MPI_Finalize for the life of the object.
class Session {
 public:
  /// Null when the process was not started by an MPI launcher (mpirun, mpiexec, srun): plain
  /// `stz` never initialises MPI, so it runs where no MPI runtime is set up.
  static std::unique_ptr<Session> start_if_launched(int* argc, char*** argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  int rank() const { return m_rank; }
  int size() const { return m_size; }
  /// OpenMP threads per rank when --threads is not given: the cores this rank is bound to, or
  /// the node's cores shared by the node's ranks when the launcher did not bind.
  int default_threads() const;

  /// Rank 0's status, the same on every rank (all exit alike, so mpirun reports it once).
  int agree_status(int status_on_rank0) const;

 private:
  Session() = default;
  int m_rank = 0, m_size = 1, m_local_size = 1;
};

/// Runs the members over all ranks with `threads` OpenMP threads per rank. The callback is
/// called with finished = false on the rank that starts a member, and with finished = true on
/// rank 0 for every member. Returns every result (in the order of `members`) on rank 0, an
/// empty vector on the other ranks. A member that fails is reported in its result. `existing`
/// as for stz::run_members (with `resume`, a member whose run.h5 is complete with the same
/// config is kept, on whichever rank it is assigned to).
std::vector<MemberResult> run_members(const Session& session, const ConfigSource& source,
                                      const std::vector<MemberSpec>& members, int threads,
                                      const MemberCallback& callback, ExistingResults existing);

}  // namespace stz::app::mpi
