// The container's root filesystem (docs/filesystem.md): an overlay whose read-only lower layer is
// the image directory and whose upper layer belongs to this container alone, made the root with
// pivot_root(2), with the host's root detached so nothing of the host is reachable.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "vessel/util/unique_fd.hpp"

namespace vessel::rootfs {

// Where a container's layers live in its state directory.
struct Layout {
    std::string image;   // lowerdir: never written
    std::string upper;   // upperdir: the container's changes
    std::string work;    // workdir: overlayfs' scratch space, same filesystem as upper
    std::string merged;  // the mount point of the overlay

    static Layout in_state_dir(const std::string& image, const std::string& state_dir);
};

// Parent side: creates upper, work and merged (empty directories) in the state directory.
void prepare_layers(const Layout& layout);

// Child side, in its new mount namespace: mark every mount private (MS_REC), so that no mount
// made from here on propagates back to the host, and none of the host's reaches us.
void make_mounts_private();

// The overlay's lower, upper and work directories, opened (O_PATH), to be named in its options
// as /proc/self/fd/N. overlayfs shows its options in every mountinfo, the container's own
// included: host paths there would tell the container where its files live on the host. The
// kernel resolves the names once, at mount time; the descriptors can go afterwards.
struct OverlayDirs {
    std::vector<UniqueFd> lower;  // an image from the store has one per layer, topmost first
    UniqueFd upper, work;
    // {"lowerdir", "/proc/self/fd/5"}, {"upperdir", ...}, {"workdir", ...}: for fsconfig(2)
    std::array<std::pair<const char*, std::string>, 3> fields() const;
    // "lowerdir=/proc/self/fd/5,upperdir=/proc/self/fd/6,workdir=/proc/self/fd/7": for mount(2)
    std::string options() const;
};
// `lower` is one directory, or several joined by ':' (topmost first): overlayfs stacks them.
OverlayDirs open_overlay_dirs(const std::string& lower, const Layout& layout);  // throws SysError

// Child side: mount the overlay at layout.merged and return an fd of its root.
UniqueFd mount_overlay(const Layout& layout);

// Child side: the overlay becomes "/" and the old root is detached (umount2 MNT_DETACH), so no
// path leads back to the host. Leaves the cwd at the new "/".
void pivot_into(int root_fd);

// Child side, after pivot_into: --read-only makes "/" read-only (the mounts on it keep theirs).
void remount_root_readonly();

}  // namespace vessel::rootfs
