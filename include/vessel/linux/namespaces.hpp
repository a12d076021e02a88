// Namespaces and clone3: the one system call that makes a process see a different world
// (docs/namespaces.md). vessel calls clone3 directly and the child carries on in vessel's own
// code, never re-executing /proc/self/exe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "vessel/core/spec.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::namespaces {

// The CLONE_NEW* flags for a container's clone3: pid, mount, uts, ipc, user (--userns=remap)
// and, when `cgroupns_at_clone`, cgroup. Two namespaces come later, from the child itself:
//  - cgroup on v1, once the child sits in its cgroups, so that those become its root;
//  - network (unless --network host): the costliest namespace to make (~0.5 ms: a loopback
//    device and the network's sysctl tables), so the child makes it while the parent makes
//    the cgroups, rather than the parent inside clone3 while the child waits.
uint64_t clone_flags(const ContainerSpec& spec, bool cgroupns_at_clone);

// "CLONE_NEWNS|CLONE_NEWPID|..." for the trace.
std::string describe_flags(uint64_t flags);

struct Child {
    pid_t pid = 0;   // 0 in the child
    UniqueFd pidfd;  // the parent's handle on the child
    // Whether clone3(CLONE_INTO_CGROUP) put the child into the cgroup2 directory given (in
    // both processes): false without one, and after the clone(2) fallback.
    bool placed_in_cgroup = false;
};

// clone3(2) with `flags` plus CLONE_PIDFD, exit signal SIGCHLD, and CLONE_INTO_CGROUP when
// `cgroup_fd` >= 0. Returns twice, like fork: in the child with pid 0. Falls back to clone(2)
// on kernels without clone3 (then `cgroup_fd` is ignored and placed_in_cgroup is false).
// Throws SysError in the parent when the kernel refuses. `why` annotates the trace.
Child clone_child(uint64_t flags, int cgroup_fd,
                  std::string_view why = "a child in new namespaces");

// unshare(CLONE_NEWNET) in the child, first thing after kGo (see clone_flags).
void unshare_network_namespace();

// unshare(CLONE_NEWCGROUP) in the child, for cgroup v1 (see clone_flags).
void unshare_cgroup_namespace();

}  // namespace vessel::namespaces
