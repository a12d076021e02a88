// `run`'s child: the ordered steps a container's PID 1 takes between clone3 and the shared start
// tail (docs/architecture.md has the whole sequence). It runs in vessel's own code, in the new
// namespaces, and never returns: it ends in execve, or reports why it could not and _exits.
//
//   [OCI: open the exec fifo] -> await_go -> [become root of the user namespace]
//   -> [network namespace] -> hostname [, domainname]
//   -> mounts private -> overlay (OCI: the bundle's root, bound) -> /proc -> /sys -> /dev
//   -> device nodes -> -v/--mount/--tmpfs mounts -> [OCI: config.json's mounts, sysctl]
//   -> masked and read-only paths -> lo up [--network none]
//   -> await_ready -> [eth0 and lo up, the default route: --network bridge] -> [join the v1
//   cgroups] -> [cgroup namespace] -> its cgroups, read-only
//   -> pivot_root -> [root read-only] -> start_process (process_start.hpp)
//
// New steps go into this list: image layers are the overlay's lower dirs (rootfs::Layout);
// volumes and bind mounts after /dev and before the masked paths (so a volume cannot uncover a
// masked path); the container's side of its network after kReady (the parent makes the veth
// pair between kGo and kReady).
#pragma once

#include "vessel/core/spec.hpp"
#include "vessel/launch/cgroup_entry.hpp"
#include "vessel/launch/confinement.hpp"
#include "vessel/launch/handshake.hpp"
#include "vessel/launch/kernel_steps.hpp"
#include "vessel/launch/process_start.hpp"
#include "vessel/linux/cgroups.hpp"
#include "vessel/linux/rootfs.hpp"
#include "vessel/util/unique_fd.hpp"

#include <vector>

namespace vessel {

struct ChildPlan {
    const ContainerSpec* spec = nullptr;
    rootfs::Layout layout;                                // the overlay's directories
    const cgroups::Cgroup* cgroup = nullptr;              // to join (v1) and to show read-only
    CgroupEntry cgroup_entry = CgroupEntry::kBornInside;  // cgroup_entry.hpp
    const confinement::Plan* confinement = nullptr;       // prepared by the parent (security.md)
    // -v/--mount sources: detached copies the parent took before clone3, index-aligned with
    // spec->mounts (container_mounts.hpp). The only fds of the parent's the child keeps.
    std::vector<UniqueFd>* mount_sources = nullptr;
    // What the child attaches with them: spec->mounts plus the /etc files of its network, in
    // mount order (network_attach.hpp). Null: spec->mounts.
    const std::vector<MountSpec>* mounts = nullptr;
    // --network bridge/NAME: eth0's address and route, set by the child once the parent has
    // made the veth pair (network_attach.hpp). Null otherwise.
    const NetworkAttachment* network = nullptr;
};

// The recipe up to the tail, step by step through `kernel` (kernel_steps.hpp). Returns the
// exec fifo of an OCI create (spec.exec_fifo), or an empty fd.
UniqueFd build_container(const ChildPlan& plan, KernelSteps& kernel);
// How run's PID 1 goes through the tail; `exec_fifo` (OCI create) >= 0 makes it wait for
// `vessel-oci start` before confinement and execve.
StartTail tail_of(const ChildPlan& plan, int exec_fifo = -1);

// build_container and start_process with the real kernel; never returns.
[[noreturn]] void run_child(const ChildPlan& plan, handshake::ChildEnd channel);

}  // namespace vessel
