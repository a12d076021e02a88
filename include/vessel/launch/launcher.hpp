// The parent side of the launch (docs/architecture.md): from a validated ContainerSpec to a
// running command. The container ends through teardown::end (teardown.hpp).
//
//   launch():  state dir -> cgroup2 dir -> clone3 -> [child: run_child.cpp] -> kGo
//              -> janitor, cgroups, limits, device rules -> kReady -> running
#pragma once

#include "vessel/core/state.hpp"
#include "vessel/core/user_db.hpp"
#include "vessel/launch/teardown.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel {

struct RunningContainer {
    ContainerState state;
    teardown::OwnedResources owned;  // PID 1 (owned.init), its cgroup, its janitor
    UniqueFd pty_master;             // with -t: the master side of the container's terminal
};

// Creates everything the container needs and starts its command. When anything fails, whatever
// was created is released again (teardown::Ending::kStartFailed) and Error is thrown, with exit
// code 125 (vessel failed), 126 (the command cannot be executed) or 127 (it does not exist).
RunningContainer launch(const StateStore& store, const ContainerSpec& spec,
                        const ResolvedUser& user);

}  // namespace vessel
