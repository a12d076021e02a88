// The container's own mounts besides its root (docs/mounts.md): binds of host paths and of
// volumes, and tmpfs, made by the child in its mount namespace.
//
// Two steps. open_sources() runs in the parent, before clone3, in the host's mount namespace:
// it takes a detached copy of each source (open_tree(OPEN_TREE_CLONE)). A copy of a shared mount
// joins its peer group, so `shared` and `slave` binds see what the host mounts under them later;
// the child inherits the descriptors. With --userns=remap the parent then makes each copy an
// idmapped mount through the child's new user namespace (idmap()). attach() runs in the child
// once its root exists: it sets each copy's read-only bit and propagation while it is still
// detached, opens the target with openat2(RESOLVE_IN_ROOT) (no symlink in the image can lead it
// out of the root, CVE-2021-30465) and attaches the copy on that very file with move_mount(2).
#pragma once

#include <sys/types.h>

#include <vector>

#include "vessel/core/mount_spec.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::container_mounts {

// One detached tree per bind or volume mount (an empty fd for tmpfs), index-aligned with `mounts`.
// Throws SysError naming the host path that cannot be opened.
std::vector<UniqueFd> open_sources(const std::vector<MountSpec>& mounts);

// --userns=remap: makes every detached bind/volume copy an idmapped mount through the user
// namespace of process `child` (mount_setattr(MOUNT_ATTR_IDMAP)), so that files owned by host
// uid 0 are owned by the container's root, and its writes land as uid 0 on disk. Parent side,
// after clone and before the child attaches them. Throws SysError.
void idmap(std::vector<UniqueFd>& sources, pid_t child);

// Attaches every mount inside `root_fd`, in order. Refuses a target that resolves to the root
// itself (e.g. through a symlink to "/../.."). Throws Error/SysError.
void attach(int root_fd, const std::vector<MountSpec>& mounts, std::vector<UniqueFd>& sources);

}  // namespace vessel::container_mounts
