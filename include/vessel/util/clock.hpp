// Wall-clock times as vessel stores them (RFC 3339 in UTC with nanoseconds, like docker's
// "2026-11-29T06:39:03.123456789Z") and as people read them ("5 seconds ago").
#pragma once

#include <cstdint>
#include <string>

namespace vessel::clock {

int64_t now_ns();  // CLOCK_REALTIME in nanoseconds since the epoch
std::string to_rfc3339(int64_t unix_ns);
int64_t from_rfc3339(const std::string& text);  // 0 when it cannot be parsed
// "Less than a second", "5 seconds", "2 minutes", "3 hours", "4 days"... like docker's
// units.HumanDuration.
std::string human_duration(int64_t ns);

}  // namespace vessel::clock
