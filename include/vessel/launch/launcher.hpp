// The parent side of the launch (docs/architecture.md): from a validated ContainerSpec to a
// running command, and back to nothing when it ends.
//
//   launch():  state dir -> cgroup -> janitor -> clone3 -> [child: child.cpp] -> handshake
//              -> running
//   finish():  kill what is left -> remove the cgroup -> record the exit (or remove all, --rm)
#pragma once

#include <memory>

#include "vessel/core/state.hpp"
#include "vessel/core/user_db.hpp"
#include "vessel/launch/janitor.hpp"
#include "vessel/linux/cgroups.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel {

// In the state directory: the container's compiled seccomp program (linux/seccomp.hpp).
inline constexpr const char* kSeccompProgramName = "seccomp.bpf";

struct RunningContainer {
    ContainerState state;
    std::unique_ptr<cgroups::Cgroup> cgroup;
    UniqueFd pidfd;       // the container's PID 1
    UniqueFd pty_master;  // with -t: the master side of the container's terminal
    Janitor janitor;
};

// Creates everything the container needs and starts its command. When anything fails, whatever
// was created is removed again and Error is thrown, with exit code 125 (vessel failed), 126
// (the command cannot be executed) or 127 (it does not exist).
RunningContainer launch(const StateStore& store, const ContainerSpec& spec,
                        const ResolvedUser& user);

// Called once PID 1 has exited with `exit_code`: removes the cgroup, and removes the state
// (--rm) or records the exit in it.
void finish(const StateStore& store, RunningContainer& container, int exit_code);

}  // namespace vessel
