// `vessel run` from a request to an exit status (docs/architecture.md, "Before anything
// exists"). cli/run.cpp only parses flags into a RunRequest and calls these.
//
//   plan_run():        image directory and config checked, limits applied, the user resolved in
//                      the image's /etc/passwd, the ContainerSpec built. Bad input fails here,
//                      with exit 125 and nothing to clean up.
//   run_foreground():  signals queued for forwarding -> launch() -> supervise -> teardown
//   start_detached():  (monitor.hpp) the same, under a monitor
#pragma once

#include "vessel/core/resources.hpp"
#include "vessel/core/run_request.hpp"
#include "vessel/core/state.hpp"
#include "vessel/core/user_db.hpp"

namespace vessel {

struct RunPlan {
    ContainerSpec spec;
    ResolvedUser user;
};

// Throws Error (125) for bad input; creates nothing.
RunPlan plan_run(const RunRequest& request, const resources::Flags& resource_flags);

// Runs the container in the foreground and returns its exit status, docker's way.
int run_foreground(const StateStore& store, const RunPlan& plan);

}  // namespace vessel
