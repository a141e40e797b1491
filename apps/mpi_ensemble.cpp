#include "apps/mpi_ensemble.hpp"

#include <mpi.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

#include "libstz/core/parallel.hpp"

namespace stz::app::mpi {
namespace {

constexpr int kTagRequest = 1;  // worker → rank 0: [index of the finished member, or −1][result]
constexpr int kTagAssign = 2;   // rank 0 → worker: index of the next member, or −1: no more

void check(int code, const char* what) {
  if (code != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}

// The summary travels as raw bytes: every rank runs the same binary, so the layout agrees and the
// doubles arrive bit for bit (the summaries equal the single-process run's).
static_assert(std::is_trivially_copyable_v<RunSummary>);

std::vector<char> encode(std::int64_t index, const MemberResult* r) {
  const std::size_t fixed = sizeof index + 1 + sizeof r->seed + sizeof r->summary;
  std::vector<char> out(r == nullptr ? sizeof index : fixed + r->error.size());
  std::memcpy(out.data(), &index, sizeof index);
  if (r == nullptr) return out;
  std::size_t at = sizeof index;
  out[at++] = static_cast<char>((r->ok ? 1 : 0) | (r->resumed ? 2 : 0));  // flags
  std::memcpy(out.data() + at, &r->seed, sizeof r->seed);
  at += sizeof r->seed;
  std::memcpy(out.data() + at, &r->summary, sizeof r->summary);
  at += sizeof r->summary;
  std::memcpy(out.data() + at, r->error.data(), r->error.size());  // the rest of the message
  return out;
}

// Fills `r` (its spec is set by the caller) and returns the index; −1 for a first request.
std::int64_t decode(const std::vector<char>& in, MemberResult& r) {
  std::int64_t index = -1;
  if (in.size() < sizeof index) throw std::runtime_error("MPI: short message from a worker");
  std::memcpy(&index, in.data(), sizeof index);
  if (index < 0) return index;
  std::size_t at = sizeof index;
  const std::size_t fixed = 1 + sizeof r.seed + sizeof r.summary;
  if (in.size() < at + fixed) throw std::runtime_error("MPI: short result from a worker");
  r.ok = (in[at] & 1) != 0;
  r.resumed = (in[at] & 2) != 0;
  at += 1;
  std::memcpy(&r.seed, in.data() + at, sizeof r.seed);
  at += sizeof r.seed;
  std::memcpy(&r.summary, in.data() + at, sizeof r.summary);
  at += sizeof r.summary;
  r.error.assign(in.data() + at, in.size() - at);
  return index;
}

bool launched_by_mpi() {
  // OpenMPI's mpirun, MPICH/Hydra and Slurm's PMI2, PMIx (srun --mpi=pmix, OpenMPI 5).
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

}  // namespace

std::unique_ptr<Session> Session::start_if_launched(int* argc, char*** argv) {
  if (!launched_by_mpi()) return nullptr;
  int provided = 0;
  // Only the main thread calls MPI; rank 0's worker thread and OpenMP threads never do.
  check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  std::unique_ptr<Session> s(new Session);
  if (provided < MPI_THREAD_FUNNELED)
    throw std::runtime_error("MPI: the library does not provide MPI_THREAD_FUNNELED");
  MPI_Comm_rank(MPI_COMM_WORLD, &s->m_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &s->m_size);
  MPI_Comm local;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local),
        "MPI_Comm_split_type");
  MPI_Comm_size(local, &s->m_local_size);
  MPI_Comm_free(&local);
  return s;
}

Session::~Session() {
  MPI_Finalize();
}

int Session::default_threads() const {
  const int node = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  cpu_set_t mask;
  if (sched_getaffinity(0, sizeof mask, &mask) == 0) {
    const int bound = CPU_COUNT(&mask);
    if (bound > 0 && bound < node) return bound;  // the launcher bound this rank to its cores
  }
  return std::max(1, node / std::max(1, m_local_size));
}

int Session::agree_status(int status_on_rank0) const {
  int status = status_on_rank0;
  check(MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return status;
}

std::vector<MemberResult> run_members(const Session& session, const ConfigSource& source,
                                      const std::vector<MemberSpec>& members, int threads,
                                      const MemberCallback& callback, ExistingResults existing) {
  std::mutex callback_mutex;  // rank 0: the worker thread and the queue both report
  auto on_start = [&](const MemberResult& r) {
    if (!callback) return;
    std::lock_guard<std::mutex> lock(callback_mutex);
    callback(r, false);
  };
  const auto n = static_cast<std::int64_t>(members.size());

  if (session.rank() != 0) {
    set_threads(threads);
    std::vector<char> message = encode(-1, nullptr);
    for (;;) {
      check(MPI_Send(message.data(), static_cast<int>(message.size()), MPI_BYTE, 0, kTagRequest,
                     MPI_COMM_WORLD),
            "MPI_Send");
      std::int64_t index = -1;
      check(MPI_Recv(&index, 1, MPI_INT64_T, 0, kTagAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
            "MPI_Recv");
      if (index < 0 || index >= n) break;
      const MemberResult r =
          run_member(source, members[static_cast<std::size_t>(index)], on_start, existing);
      message = encode(index, &r);
    }
    return {};
  }

  std::vector<MemberResult> results(members.size());
  for (std::size_t i = 0; i < members.size(); ++i) results[i].spec = members[i];
  std::atomic<std::int64_t> next{0};
  auto finished = [&](std::int64_t index, MemberResult r) {
    std::lock_guard<std::mutex> lock(callback_mutex);
    results[static_cast<std::size_t>(index)] = std::move(r);
    if (callback) callback(results[static_cast<std::size_t>(index)], true);
  };
  std::thread local([&] {
    set_threads(threads);  // OpenMP thread count is per calling thread
    for (std::int64_t i = next++; i < n; i = next++)
      finished(i, run_member(source, members[static_cast<std::size_t>(i)], on_start, existing));
  });
  // The queue: answer every worker's request until each has been told to stop. Polling with a
  // short sleep instead of a blocking receive keeps this thread off the cores (OpenMPI's
  // blocking receive spins).
  int working = session.size() - 1;
  std::vector<char> buffer;
  try {
    while (working > 0) {
      int flag = 0;
      MPI_Status status;
      check(MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
      if (!flag) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      int count = 0;
      MPI_Get_count(&status, MPI_BYTE, &count);
      buffer.resize(static_cast<std::size_t>(count));
      check(MPI_Recv(buffer.data(), count, MPI_BYTE, status.MPI_SOURCE, kTagRequest, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE),
            "MPI_Recv");
      MemberResult r;
      const std::int64_t done = decode(buffer, r);
      if (done >= 0 && done < n) {
        r.spec = members[static_cast<std::size_t>(done)];
        finished(done, std::move(r));
      }
      std::int64_t assign = next++;
      if (assign >= n) {
        assign = -1;
        --working;
      }
      check(MPI_Send(&assign, 1, MPI_INT64_T, status.MPI_SOURCE, kTagAssign, MPI_COMM_WORLD),
            "MPI_Send");
    }
  } catch (...) {
    local.join();
    throw;
  }
  local.join();
  return results;
}

}  // namespace stz::app::mpi
