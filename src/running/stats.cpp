#include "vessel/running/stats.hpp"

#include <time.h>

#include "vessel/linux/cgroups.hpp"
#include "vessel/util/error.hpp"

namespace vessel {

stats::Sample read_stats(const ContainerState& state) {
    stats::Sample s;
    s.id = state.spec.id;
    s.name = state.spec.name;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    s.at_ns = static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
    if (state.status != Status::kRunning || state.cgroup.empty()) return s;
    try {
        const cgroups::Usage u = cgroups::from_json(state.cgroup)->usage();
        s.running = true;
        s.cpu_ns = u.cpu_ns;
        s.memory = u.memory;
        s.memory_limit = u.memory_limit;
        s.pids = u.pids;
    } catch (const Error&) {
        // The container ended between the listing and the reading.
    }
    return s;
}

}  // namespace vessel
