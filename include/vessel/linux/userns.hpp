// User namespaces, --userns=remap (docs/user-namespaces.md): root in the container is root only
// of its own user namespace; outside, it is an unprivileged uid (100000 by default). The child is
// cloned with CLONE_NEWUSER and waits; the parent writes its uid_map and gid_map, sets its
// rlimits (the child could not raise them any more), makes an idmapped mount of the image (so
// files owned by root on disk are owned by the container's root) and hands it over with kGo.
//
// Inside, the child can no longer walk vessel's state directory (mode 0700, owned by the host's
// root), so the parent builds the overlay itself (in a short-lived helper with a mount namespace
// of its own) with the new mount API (fsopen, fsconfig, fsmount), as a detached mount, and the
// child only attaches it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "vessel/core/security.hpp"
#include "vessel/linux/rootfs.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::userns {

// Parent side, before clone: gives upper/ and work/ to the container's root (FIRST:FIRST).
void prepare(const rootfs::Layout& layout, const UsernsRemap& remap);

// Parent side, after clone and before kGo: uid_map and gid_map of `child`, its rlimits, the image
// as a read-only mount idmapped through the child's namespace, and on it the container's overlay,
// as a detached mount. Returns the overlay, for the child (sent with kGo).
UniqueFd setup_from_parent(pid_t child, const UsernsRemap& remap, const rootfs::Layout& layout,
                           const std::vector<Ulimit>& ulimits);

// Child side, right after kGo: become uid and gid 0 of the namespace (until then the child holds
// the host's uid 0, which is unmapped inside).
void become_root();

// Child side: attaches the overlay in its mount namespace, returns its root.
UniqueFd attach_root(UniqueFd overlay);

}  // namespace vessel::userns
