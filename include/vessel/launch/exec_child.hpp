// `exec`'s child: the process `vessel exec` starts inside a running container, from clone3
// (born in the container's pid namespace and cgroup2 directory) to the shared start tail.
//
//   [PR_SET_PDEATHSIG] -> await_go -> write "0" to each v1 `tasks` (moves itself)
//   -> setns(pidfd, NEWCGROUP[|NEWUSER]) -> [become root of the user namespace]
//   -> start_process (process_start.hpp)
//
// Why the cgroup namespace is joined here, by the child: on a cgroup2 mount with nsdelegate
// (systemd's), the kernel lets a process move another only between cgroups inside its own
// cgroup namespace's view, so the move happens first, from outside. The user namespace comes
// last of all: it would take away our rights over the host's cgroup files.
#pragma once

#include "vessel/core/spec.hpp"
#include "vessel/launch/confinement.hpp"
#include "vessel/launch/handshake.hpp"
#include "vessel/launch/kernel_steps.hpp"
#include "vessel/launch/process_start.hpp"
#include "vessel/linux/cgroup_join.hpp"
#include "vessel/linux/ns_join.hpp"

namespace vessel {

struct ExecChildPlan {
    const ContainerSpec* spec = nullptr;
    const confinement::Plan* confinement = nullptr;  // prepared on the host side, as for run
    const ns_join::Target* namespaces = nullptr;     // opened by the parent, on the host side
    const cgroups::JoinTarget* cgroup = nullptr;     // likewise
    int namespaces_to_join = 0;                      // CLONE_NEW* the child joins itself
    bool keep_stdio = false;  // ExecRequest::keep_stdio: detached, yet fds 0-2 are the caller's
};

// The recipe up to the tail, step by step through `kernel` (kernel_steps.hpp).
void enter_container(const ExecChildPlan& plan, KernelSteps& kernel);
// How an exec'd process goes through the tail.
StartTail tail_of(const ExecChildPlan& plan);

// enter_container and start_process with the real kernel; never returns.
[[noreturn]] void run_exec_child(const ExecChildPlan& plan, const handshake::ChildEnd& channel);

}  // namespace vessel
