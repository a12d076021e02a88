#include "vessel/linux/cpu_placement.hpp"

#include <cerrno>
#include <string>

#include <fmt/format.h>

#include "vessel/util/explain.hpp"

namespace vessel::cpu_placement {
namespace {

// "0-3,6" for the trace.
std::string cpu_list(const cpu_set_t& cpus) {
    std::string out;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
        if (!CPU_ISSET(cpu, &cpus)) continue;
        int last = cpu;
        while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &cpus)) ++last;
        out += (out.empty() ? "" : ",") +
               (last == cpu ? std::to_string(cpu) : fmt::format("{}-{}", cpu, last));
        cpu = last;
    }
    return out;
}

}  // namespace

std::optional<cpu_set_t> spread_candidates() {
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    if (::sched_getaffinity(0, sizeof cpus, &cpus) != 0 || CPU_COUNT(&cpus) < 2)
        return std::nullopt;
    return cpus;
}

void start_elsewhere(pid_t child, const cpu_set_t& cpus) {
    const int here = ::sched_getcpu();
    // The next allowed CPU after ours, wrapping around: with several vessels starting at once,
    // each child lands beside its own parent rather than all on CPU 0.
    int there = -1;
    for (int step = 1; step <= CPU_SETSIZE && there < 0; ++step) {
        int cpu = (here + step) % CPU_SETSIZE;
        if (cpu != here && CPU_ISSET(cpu, &cpus)) there = cpu;
    }
    if (there < 0) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(there, &one);
    long rc = ::sched_setaffinity(child, sizeof one, &one);
    int err = errno;
    explain::syscall(explain::Chapter::kHandshake,
                     fmt::format("sched_setaffinity({}, {{{}}})", child, there), rc, err,
                     fmt::format("start the child on CPU {} now; we are on CPU {}", there, here));
}

void take_back(const cpu_set_t& cpus) {
    long rc = ::sched_setaffinity(0, sizeof cpus, &cpus);
    int err = errno;
    explain::syscall(explain::Chapter::kHandshake,
                     fmt::format("sched_setaffinity(0, {{{}}})", cpu_list(cpus)), rc, err,
                     "every CPU vessel had: the command inherits vessel's affinity");
}

}  // namespace vessel::cpu_placement
