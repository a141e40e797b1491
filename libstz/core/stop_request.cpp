#include "libstz/core/stop_request.hpp"

#include <atomic>

namespace stz {
namespace {
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "a signal handler needs a lock-free flag");
}  // namespace

void request_stop(int signal_number) noexcept {
  int expected = 0;
  g_stop_signal.compare_exchange_strong(expected, signal_number > 0 ? signal_number : 1);
}
bool stop_requested() noexcept {
  return g_stop_signal.load(std::memory_order_relaxed) != 0;
}
int stop_signal() noexcept {
  return g_stop_signal.load();
}
void clear_stop_request() noexcept {
  g_stop_signal.store(0);
}

}  // namespace stz
