// Waiting time of the rejection-free kMC clock (SPEC 3.7): with total rate R the time to the next
// event is exponentially distributed, Δt = −ln(u)/R for u uniform in (0, 1]. Units: Δt is in the
// reciprocal of R's unit (s for rates in s⁻¹).
#pragma once

namespace stz {

/// −ln(u_open)/total_rate. Draw u_open with stz::uniform01_open_low. Throws stz::Error unless
/// total_rate > 0 (+inf gives 0) and u_open is in (0, 1].
double exponential_waiting_time(double total_rate, double u_open);

}  // namespace stz
