// Reading a running container's counters from its cgroup for `vessel stats` (docs/cgroups.md).
#pragma once

#include "vessel/core/state.hpp"
#include "vessel/core/stats.hpp"

namespace vessel {

// One reading of the container's cgroup. running=false when the container is not running or
// its cgroup is gone.
stats::Sample read_stats(const ContainerState& state);

}  // namespace vessel
