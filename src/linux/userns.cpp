#include "vessel/linux/userns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "vessel/linux/fd_passing.hpp"
#include "vessel/linux/inherited_fds.hpp"
#include "vessel/linux/rlimits.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::userns {
namespace {

using explain::Chapter;

void write_map(pid_t pid, const char* file, const UsernsRemap& remap) {
    std::string path = fmt::format("/proc/{}/{}", pid, file);
    std::string line = fmt::format("0 {} {}\n", remap.first, remap.count);
    fs::write_file(path, line);
    explain::step(
        Chapter::kUserNamespaces,
        fmt::format("write(\"/proc/{}/{}\", \"0 {} {}\")", pid, file, remap.first, remap.count),
        "0",
        std::string(file) == "uid_map" ? "uid 0 inside is uid FIRST outside"
                                       : "and the same for groups");
}

void check_fs(long rc, int err, const std::string& call, std::string_view why) {
    explain::syscall(Chapter::kUserNamespaces, call, rc, err, why);
    if (rc < 0) throw SysError("user namespace: " + call, err);
}

// One message from the helper: errno (0 on success) and what failed, plus the overlay's fd.
struct HelperReply {
    int32_t err = 0;
    char text[480] = {};
};

void send_reply(int sock, const HelperReply& reply, int fd) {
    iovec iov{const_cast<HelperReply*>(&reply), sizeof reply};
    fd_passing::send(sock, &iov, 1, fd);  // a parent that left learns nothing either way
}

HelperReply receive_reply(int sock, UniqueFd& fd) {
    HelperReply reply;
    iovec iov{&reply, sizeof reply};
    if (fd_passing::receive(sock, &iov, 1, fd) != static_cast<ssize_t>(sizeof reply)) {
        reply.err = EPROTO;
        std::snprintf(reply.text, sizeof reply.text, "the overlay helper ended without a word");
    }
    return reply;
}

// The helper's work, in a private mount namespace of its own: attach the idmapped image on
// <state>/lower (overlayfs before Linux 6.15 takes only attached layers), make the overlay, hand
// back the detached result. The overlay keeps private copies of its layers, so the helper's
// namespace, and the image's mount in it, can go when the helper exits. The host's mount table
// never sees any of it.
[[noreturn]] void overlay_helper(int sock, int tree, const rootfs::Layout& layout,
                                 const std::string& lower) {
    explain::set_role("helper");
    HelperReply reply;
    UniqueFd mnt;
    try {
        // A fork of vessel's: nothing of the parent's but the socket and the image's tree.
        inherited_fds::close_all_except({sock, tree, explain::fd()});
        long rc = ::unshare(CLONE_NEWNS);
        check_fs(rc, errno, "unshare(CLONE_NEWNS)",
                 "a mount namespace of our own, gone when we exit");
        rc = ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
        check_fs(rc, errno, "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)",
                 "nothing propagates to the host");
        rc = ::move_mount(tree, "", AT_FDCWD, lower.c_str(), MOVE_MOUNT_F_EMPTY_PATH);
        check_fs(rc, errno,
                 fmt::format("move_mount(tree, \"\", AT_FDCWD, {}, MOVE_MOUNT_F_EMPTY_PATH)",
                             explain::quote(lower)),
                 "the idmapped image, attached where overlayfs can take it");
        UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
        check_fs(fs.get(), errno, "fsopen(\"overlay\", FSOPEN_CLOEXEC)",
                 "a new overlay, configured key by key");
        // By fd, so that no host path shows in the container's mountinfo (rootfs.hpp).
        const rootfs::OverlayDirs dirs = rootfs::open_overlay_dirs(lower, layout);
        for (const auto& [key, value] : dirs.fields()) {
            rc = ::fsconfig(fs.get(), FSCONFIG_SET_STRING, key, value.c_str(), 0);
            check_fs(rc, errno,
                     fmt::format("fsconfig(fs, FSCONFIG_SET_STRING, \"{}\", {})", key,
                                 explain::quote(value)),
                     "");
        }
        rc = ::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0);
        check_fs(rc, errno, "fsconfig(fs, FSCONFIG_CMD_CREATE)", "");
        mnt.reset(::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
        check_fs(mnt.get(), errno, "fsmount(fs, FSMOUNT_CLOEXEC, 0)",
                 "the container's root, detached: sent with kGo");
    } catch (const SysError& e) {
        reply.err = e.err();
        std::snprintf(reply.text, sizeof reply.text, "%s", e.what());
    } catch (const std::exception& e) {
        reply.err = EINVAL;
        std::snprintf(reply.text, sizeof reply.text, "%s", e.what());
    }
    send_reply(sock, reply, mnt.get());
    ::_exit(reply.err == 0 ? 0 : 1);
}

UniqueFd make_overlay_in_helper(int tree, const rootfs::Layout& layout) {
    const std::string lower = layout.merged.substr(0, layout.merged.rfind('/')) + "/lower";
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        throw SysError("socketpair", errno);
    UniqueFd ours(sv[0]), theirs(sv[1]);
    pid_t pid = ::fork();
    if (pid < 0) throw SysError("fork the overlay helper", errno);
    if (pid == 0) {
        ours.reset();
        overlay_helper(theirs.get(), tree, layout, lower);
    }
    theirs.reset();
    UniqueFd mnt;
    HelperReply reply = receive_reply(ours.get(), mnt);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (reply.err != 0 || !mnt)
        throw Error(std::string("cannot build the container's overlay: ") + reply.text);
    return mnt;
}

}  // namespace

void prepare(const rootfs::Layout& layout, const UsernsRemap& remap) {
    // The overlay's root directory is upper/: it must belong to the container's root, or "/"
    // inside would be owned by an unmapped uid that root inside may not write to.
    for (const auto* dir : {&layout.upper, &layout.work}) {
        if (::chown(dir->c_str(), remap.first, remap.first) != 0)
            throw SysError("cannot give " + *dir + " to the container's root", errno);
    }
    explain::step(Chapter::kUserNamespaces,
                  fmt::format("chown(upper, work, {0}, {0})", remap.first), "0",
                  "the container's root owns its layer");
    // Where the overlay helper attaches the idmapped image, in its own mount namespace.
    fs::ensure_dir(layout.merged.substr(0, layout.merged.rfind('/')) + "/lower", 0755);
}

UniqueFd setup_from_parent(pid_t child, const UsernsRemap& remap, const rootfs::Layout& layout,
                           const std::vector<Ulimit>& ulimits) {
    write_map(child, "uid_map", remap);
    write_map(child, "gid_map", remap);
    // Raising a hard limit needs CAP_SYS_RESOURCE in the initial namespace: only we have it.
    rlimits::apply(child, ulimits);

    UniqueFd ns(::open(fmt::format("/proc/{}/ns/user", child).c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) throw SysError("cannot open the container's user namespace", errno);
    UniqueFd tree(::open_tree(AT_FDCWD, layout.image.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    int err = errno;
    explain::syscall(Chapter::kUserNamespaces,
                     fmt::format("open_tree({}, OPEN_TREE_CLONE)", explain::quote(layout.image)),
                     tree.get(), err, "a detached copy of the image's mount");
    if (!tree) throw SysError("cannot clone the image's mount (open_tree)", err);
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY;
    attr.userns_fd = static_cast<uint64_t>(ns.get());
    long rc = ::mount_setattr(tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr);
    err = errno;
    explain::syscall(
        Chapter::kUserNamespaces,
        "mount_setattr(tree, \"\", AT_EMPTY_PATH, {MOUNT_ATTR_IDMAP|MOUNT_ATTR_RDONLY, userns})",
        rc, err, "files owned by 0 on disk are owned by the container's root");
    if (rc != 0)
        throw SysError(
            "cannot make an idmapped mount of the image", err,
            err == EINVAL
                ? "the image's filesystem must support idmapped mounts (ext4, xfs, btrfs, tmpfs)"
                : "");

    // The overlay is made by the host's root, as a detached mount: the child, uid FIRST to the
    // host's filesystems, could not even reach the state directory.
    return make_overlay_in_helper(tree.get(), layout);
}

void become_root() {
    // Our credentials still hold the host's uid 0, which the new maps do not cover (it shows as
    // 65534 inside): switch to uid and gid 0 *of the namespace*, host uid FIRST.
    long rc = ::setresgid(0, 0, 0);
    check_fs(rc, errno, "setresgid(0, 0, 0)", "gid 0 of our namespace, FIRST on the host");
    rc = ::setresuid(0, 0, 0);
    check_fs(rc, errno, "setresuid(0, 0, 0)",
             "root of our namespace, an unprivileged uid on the host");
}

UniqueFd attach_root(UniqueFd overlay) {
    // Any place in our mount namespace will do, and "/" is one we can always reach: the overlay
    // is stacked on it, and pivot_root makes it the root proper.
    long rc = ::move_mount(overlay.get(), "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH);
    check_fs(rc, errno, "move_mount(overlay, \"\", AT_FDCWD, \"/\", MOVE_MOUNT_F_EMPTY_PATH)",
             "the root the parent made joins our mounts");
    return overlay;
}

}  // namespace vessel::userns
