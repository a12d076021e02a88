#include "vessel/linux/container_mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/linux/mounts.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::container_mounts {
namespace {

using explain::Chapter;

unsigned long propagation_flag(Propagation p) {
    switch (p) {
        case Propagation::kRShared:
        case Propagation::kShared:
            return MS_SHARED;
        case Propagation::kRSlave:
        case Propagation::kSlave:
            return MS_SLAVE;
        default:
            return MS_PRIVATE;
    }
}

bool recursive(Propagation p) {
    return p == Propagation::kRPrivate || p == Propagation::kRShared || p == Propagation::kRSlave;
}

struct stat stat_fd(int fd, const std::string& what) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw SysError("cannot stat " + what, errno);
    return st;
}

// Opens (creating if missing, as docker does) the target inside the root, and refuses one that
// is the root itself: a symlink in the image such as /mnt -> /../../.. resolves, inside the root,
// to "/", and a mount there would hide the whole container under it.
UniqueFd open_target(int root_fd, const MountSpec& m, bool directory) {
    UniqueFd target = mounts::open_in_root(
        root_fd, m.target, directory ? mounts::Create::kDirectory : mounts::Create::kFile);
    const struct stat t = stat_fd(target.get(), m.target);
    const struct stat r = stat_fd(root_fd, "the container's root");
    if (t.st_dev == r.st_dev && t.st_ino == r.st_ino)
        throw Error(fmt::format(
            "cannot mount on {}: inside the container it resolves to / itself (a symlink in the "
            "image?); choose another target",
            m.target));
    if (directory != S_ISDIR(t.st_mode))
        throw Error(fmt::format("cannot mount {} {} on {}: in the container that is {}",
                                directory ? "the directory" : "the file", m.host_path, m.target,
                                S_ISDIR(t.st_mode) ? "a directory" : "not a directory"));
    return target;
}

void setattr(int tree, const mount_attr& attr, bool recurse, const MountSpec& m,
             const std::string& shown, std::string_view why) {
    const unsigned flags = AT_EMPTY_PATH | (recurse ? AT_RECURSIVE : 0);
    long rc = ::mount_setattr(tree, "", flags, const_cast<mount_attr*>(&attr), sizeof attr);
    int err = errno;
    explain::syscall(Chapter::kMounts,
                     fmt::format("mount_setattr(tree, \"\", AT_EMPTY_PATH{}, {{{}}})",
                                 recurse ? "|AT_RECURSIVE" : "", shown),
                     rc, err, why);
    if (rc != 0) throw SysError("cannot set the attributes of the mount of " + m.host_path, err);
}

// Read-only and propagation are set on the copy while it is still detached: it is never seen
// writable or shared where it should not be.
void set_attributes(int tree, const MountSpec& m) {
    if (m.readonly) {
        mount_attr ro{};
        ro.attr_set = MOUNT_ATTR_RDONLY;
        // Everything under the bind too (docker's "rro"): a read-only bind of / must not leave
        // /proc or /boot below it writable.
        setattr(tree, ro, true, m, "MOUNT_ATTR_RDONLY", "read-only, down to its last submount");
    }
    mount_attr prop{};
    prop.propagation = propagation_flag(m.propagation);
    setattr(tree, prop, recursive(m.propagation), m,
            "propagation=" + mounts::describe_flags(prop.propagation),
            m.propagation == Propagation::kRPrivate
                ? "rprivate: nothing mounted later on either side shows on the other"
                : "propagation as asked (docs/mounts.md)");
}

void attach_bind(int root_fd, const MountSpec& m, UniqueFd& tree) {
    const bool directory = S_ISDIR(stat_fd(tree.get(), m.host_path).st_mode);
    set_attributes(tree.get(), m);
    UniqueFd target = open_target(root_fd, m, directory);
    long rc = ::move_mount(tree.get(), "", target.get(), "",
                           MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    int err = errno;
    explain::syscall(Chapter::kMounts,
                     fmt::format("move_mount(tree, \"\", target, \"\", MOVE_MOUNT_F_EMPTY_PATH|"
                                 "MOVE_MOUNT_T_EMPTY_PATH)  # {} on {}",
                                 explain::quote(m.host_path), m.target),
                     rc, err, "attached on the very file openat2(RESOLVE_IN_ROOT) opened");
    if (rc != 0) throw SysError(fmt::format("cannot mount {} on {}", m.host_path, m.target), err);
    tree.reset();
}

void attach_tmpfs(int root_fd, const MountSpec& m) {
    unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    std::string data = fmt::format("mode={:o}", m.tmpfs_mode.value_or(01777));
    for (const auto& o : m.tmpfs_options) {
        if (o == "exec")
            flags &= ~MS_NOEXEC;
        else if (o == "suid")
            flags &= ~MS_NOSUID;
        else if (o == "dev")
            flags &= ~MS_NODEV;
        else if (o == "noexec")
            flags |= MS_NOEXEC;
        else if (o == "nosuid")
            flags |= MS_NOSUID;
        else if (o == "nodev")
            flags |= MS_NODEV;
        else
            data += "," + o;  // uid=, gid=, nr_inodes=
    }
    if (m.tmpfs_size) data += fmt::format(",size={}", *m.tmpfs_size);
    if (m.readonly) flags |= MS_RDONLY;
    UniqueFd target = open_target(root_fd, m, /*directory=*/true);
    const std::string via = fmt::format("/proc/self/fd/{}", target.get());
    long rc = ::mount("tmpfs", via.c_str(), "tmpfs", flags, data.c_str());
    int err = errno;
    explain::syscall(Chapter::kMounts,
                     fmt::format("mount(\"tmpfs\", \"rootfs{}\", \"tmpfs\", {}, \"{}\")", m.target,
                                 mounts::describe_flags(flags), data),
                     rc, err, "--tmpfs: memory-backed, gone with the container");
    if (rc != 0) throw SysError("cannot mount a tmpfs on " + m.target, err);
}

}  // namespace

std::vector<UniqueFd> open_sources(const std::vector<MountSpec>& mounts) {
    std::vector<UniqueFd> trees;
    for (const auto& m : mounts) {
        if (m.type == MountType::kTmpfs) {
            trees.emplace_back();
            continue;
        }
        UniqueFd tree(::open_tree(AT_FDCWD, m.host_path.c_str(),
                                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
        int err = errno;
        explain::syscall(
            Chapter::kMounts,
            fmt::format("open_tree({}, OPEN_TREE_CLONE|AT_RECURSIVE)", explain::quote(m.host_path)),
            tree.get(), err,
            "a detached copy, in the host's mount namespace: it joins the source's peer group");
        if (!tree)
            throw SysError(fmt::format("cannot open {} to mount it on {}", m.host_path, m.target),
                           err);
        trees.push_back(std::move(tree));
    }
    return trees;
}

void idmap(std::vector<UniqueFd>& sources, pid_t child) {
    UniqueFd ns(::open(fmt::format("/proc/{}/ns/user", child).c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) throw SysError("cannot open the container's user namespace", errno);
    for (auto& tree : sources) {
        if (!tree) continue;
        mount_attr attr{};
        attr.attr_set = MOUNT_ATTR_IDMAP;
        attr.userns_fd = static_cast<uint64_t>(ns.get());
        long rc = ::mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr);
        int err = errno;
        explain::syscall(Chapter::kMounts,
                         "mount_setattr(tree, \"\", AT_EMPTY_PATH|AT_RECURSIVE, "
                         "{MOUNT_ATTR_IDMAP, userns})",
                         rc, err, "the host's uid 0 is the container's root on this mount");
        if (rc != 0)
            throw SysError("cannot make an idmapped mount for --userns=remap", err,
                           err == EINVAL ? "the source's filesystem must support idmapped "
                                           "mounts (ext4, xfs, btrfs, tmpfs)"
                                         : "");
    }
}

void attach(int root_fd, const std::vector<MountSpec>& mounts, std::vector<UniqueFd>& sources) {
    if (mounts.empty()) return;
    explain::section("the container's own mounts: -v, --mount, --tmpfs");
    for (size_t i = 0; i < mounts.size(); ++i) {
        if (mounts[i].type == MountType::kTmpfs)
            attach_tmpfs(root_fd, mounts[i]);
        else
            attach_bind(root_fd, mounts[i], sources.at(i));
    }
}

}  // namespace vessel::container_mounts
