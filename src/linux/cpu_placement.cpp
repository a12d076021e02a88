#include "vessel/linux/cpu_placement.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
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

// The CPU `pid` runs or waits on: field 39 of /proc/PID/stat. -1 if it cannot be read.
int cpu_of(pid_t pid) {
    char path[64], buf[1024];
    std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return -1;
    buf[n] = '\0';
    // The command name (field 2) may hold spaces and parentheses: count from its last ')'.
    const char* p = std::strrchr(buf, ')');
    for (int field = 2; p && field < 39; ++field) p = std::strchr(p + 1, ' ');
    return p ? std::atoi(p + 1) : -1;
}

}  // namespace

void make_room_for(pid_t child) {
    cpu_set_t mine;
    CPU_ZERO(&mine);
    // With more CPUs than a cpu_set_t holds (1024) this fails, and we simply stay.
    if (::sched_getaffinity(0, sizeof mine, &mine) != 0 || CPU_COUNT(&mine) < 2) return;
    const int here = ::sched_getcpu();
    if (here < 0 || cpu_of(child) != here) return;  // already apart (or unknown): nothing to do
    // The next of our CPUs after this one, wrapping around: several vessels starting at once
    // spread over the machine instead of all piling onto CPU 0.
    int there = -1;
    for (int step = 1; step < CPU_SETSIZE && there < 0; ++step) {
        const int cpu = (here + step) % CPU_SETSIZE;
        if (CPU_ISSET(cpu, &mine)) there = cpu;
    }
    if (there < 0) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(there, &one);
    // Changing our own affinity moves us at once; setting it back does not move us again.
    long rc = ::sched_setaffinity(0, sizeof one, &one);
    int err = errno;
    explain::syscall(explain::Chapter::kHandshake,
                     fmt::format("sched_setaffinity(0, {{{}}})", there), rc, err,
                     fmt::format("the child waits on our CPU {}: we move to CPU {}", here, there));
    if (rc != 0) return;
    rc = ::sched_setaffinity(0, sizeof mine, &mine);
    err = errno;
    explain::syscall(explain::Chapter::kHandshake,
                     fmt::format("sched_setaffinity(0, {{{}}})", cpu_list(mine)), rc, err,
                     "all our CPUs again; we stay where we are");
}

}  // namespace vessel::cpu_placement
