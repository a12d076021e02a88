// The container's own mounts besides its root (docs/mounts.md): binds of host paths and of
// volumes, and tmpfs, made by the child in its mount namespace.
//
// Two steps, because of propagation. Right after clone the child's mounts are copies of the
// host's, and a copy of a shared host mount is still a peer of it. open_sources() runs then,
// before the child makes everything private, and takes a detached copy of each source
// (open_tree(OPEN_TREE_CLONE)): a copy of a shared mount joins its peer group, so `shared` and
// `slave` binds see what the host mounts under them later. attach() runs once the root exists:
// it sets each copy's read-only bit and propagation while it is still detached, opens the target
// with openat2(RESOLVE_IN_ROOT) (no symlink in the image can lead it out of the root,
// CVE-2021-30465) and attaches the copy on that very file with move_mount(2), no path involved.
#pragma once

#include <vector>

#include "vessel/core/mount_spec.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::container_mounts {

// One detached tree per bind or volume mount (an empty fd for tmpfs), index-aligned with `mounts`.
// Throws SysError naming the host path that cannot be opened.
std::vector<UniqueFd> open_sources(const std::vector<MountSpec>& mounts);

// Attaches every mount inside `root_fd`, in order. Refuses a target that resolves to the root
// itself (e.g. through a symlink to "/../.."). Throws Error/SysError.
void attach(int root_fd, const std::vector<MountSpec>& mounts, std::vector<UniqueFd>& sources);

}  // namespace vessel::container_mounts
