// `vessel update`: new limits for an existing container, written to its cgroup while it runs
// and to its state.json either way, as `docker update` does (docs/cgroups.md).
#pragma once

#include <string>

#include "vessel/core/resources.hpp"
#include "vessel/core/state.hpp"

namespace vessel {

// Applies the flags that were given on top of the container's current limits. Checks them
// first (Error, exit 125, nothing changed), then writes only the cgroup files whose limit
// changes. Returns the container's new limits.
Resources update_resources(const StateStore& store, const std::string& id,
                           const resources::Flags& flags);

}  // namespace vessel
