// `vessel pause` / `vessel unpause` (docs/lifecycle.md, "Pause"): every process of a running
// container frozen by the cgroup freezer, and thawed again. cgroup2's freezer (cgroup.freeze, and
// cgroup.events to know it is done); on the hybrid layout the unified directory's. A frozen
// process does not run, does not see signals until thawed (SIGKILL aside), and keeps its memory.
#pragma once

#include <string>

#include "vessel/core/state.hpp"

namespace vessel::control {

// Freezes (`paused`) or thaws the container `id` and records it in state.json. Throws Error when
// it is not running, is already in that state, or the host has no cgroup2 freezer.
void set_paused(const StateStore& store, const std::string& id, bool paused);

// Thaws a paused container so that a signal sent to it is handled now (stop, kill). Quiet when
// it is not paused.
void thaw_if_paused(const StateStore& store, const std::string& id);

}  // namespace vessel::control
