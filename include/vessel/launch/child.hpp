// The child side of the launch: the ordered steps a container process takes between clone3 and
// execve (docs/architecture.md has the whole sequence). It runs in vessel's own code, in the new
// namespaces, and never returns: it ends in execve, or reports why it could not and _exits.
#pragma once

#include "vessel/core/spec.hpp"
#include "vessel/core/user_db.hpp"
#include "vessel/launch/confinement.hpp"
#include "vessel/launch/handshake.hpp"
#include "vessel/linux/cgroups.hpp"
#include "vessel/linux/rootfs.hpp"
#include "vessel/util/unique_fd.hpp"

#include <vector>

namespace vessel {

struct ChildPlan {
    const ContainerSpec* spec = nullptr;
    rootfs::Layout layout;
    bool unshare_cgroupns = false;  // cgroup v1: the child makes its cgroup namespace itself
    ResolvedUser user;              // resolved by the parent against the image's /etc/passwd
    const cgroups::Cgroup* cgroup = nullptr;         // the child mounts its read-only view of it
    const confinement::Plan* confinement = nullptr;  // prepared by the parent (security.md)
    bool join_cgroups_itself = false;  // cgroup v1: after kReady, the child moves itself in
    // -v/--mount sources: detached copies the parent took before clone3 (inherited fds).
    std::vector<UniqueFd>* mount_sources = nullptr;
};

[[noreturn]] void run_child(const ChildPlan& plan, Channel channel);

}  // namespace vessel
