// `vessel run` from a request to an exit status (docs/architecture.md, "Before anything
// exists"). cli/run.cpp only parses flags into a RunRequest and calls these.
//
//   plan_run():        the image resolved (an image of the store under data_root: its layers as
//                      lowerdirs; or a directory) and its config checked, limits applied, the
//                      user resolved in the image's /etc/passwd, the ContainerSpec built. Bad input
//                      fails here, with exit 125 and nothing to clean up.
//   run_foreground():  signals queued for forwarding -> launch() -> supervise -> teardown
//   start_detached():  (monitor.hpp) the same, under a monitor
#pragma once

#include <string>

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
// `data_root` is the image store (--data-root) an image reference is looked up in.
RunPlan plan_run(const RunRequest& request, const resources::Flags& resource_flags,
                 const std::string& data_root);

// Runs the container in the foreground and returns its exit status, docker's way.
int run_foreground(const StateStore& store, const RunPlan& plan);

}  // namespace vessel
