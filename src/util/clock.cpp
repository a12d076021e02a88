#include "vessel/util/clock.hpp"

#include <time.h>

#include <cstdio>

namespace vessel::clock {

int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string to_rfc3339(int64_t unix_ns) {
    time_t secs = static_cast<time_t>(unix_ns / 1'000'000'000);
    tm utc{};
    gmtime_r(&secs, &utc);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<long long>(unix_ns % 1'000'000'000));
    return buf;
}

int64_t from_rfc3339(const std::string& text) {
    tm utc{};
    long long nanos = 0;
    int consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%9lldZ%n", &utc.tm_year, &utc.tm_mon,
                    &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &nanos, &consumed) != 7)
        return 0;
    utc.tm_year -= 1900;
    utc.tm_mon -= 1;
    return static_cast<int64_t>(timegm(&utc)) * 1'000'000'000 + nanos;
}

std::string human_duration(int64_t ns) {
    int64_t s = ns / 1'000'000'000;
    auto plural = [](int64_t n, const char* unit) {
        return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
    };
    if (s < 1) return "Less than a second";
    if (s == 1) return "1 second";
    if (s < 60) return plural(s, "second");
    int64_t m = s / 60;
    if (m == 1) return "About a minute";
    if (m < 60) return plural(m, "minute");
    int64_t h = m / 60;
    if (h == 1) return "About an hour";
    if (h < 48) return plural(h, "hour");
    int64_t d = h / 24;
    if (d < 14) return plural(d, "day");
    if (d < 60) return plural(d / 7, "week");
    if (d < 730) return plural(d / 30, "month");
    return plural(d / 365, "year");
}

}  // namespace vessel::clock
