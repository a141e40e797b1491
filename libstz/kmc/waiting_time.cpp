#include "libstz/kmc/waiting_time.hpp"

#include <cmath>

#include "libstz/core/error.hpp"

namespace stz {

double exponential_waiting_time(double total_rate, double u_open) {
  if (!(total_rate > 0.0))
    throw Error(detail::concat("kmc waiting time: total rate ", total_rate, " must be > 0"));
  if (!(u_open > 0.0 && u_open <= 1.0))
    throw Error(
        detail::concat("kmc waiting time: random number u = ", u_open, " is outside (0, 1]"));
  if (u_open == 1.0) return 0.0;
  return -std::log(u_open) / total_rate;
}

}  // namespace stz
