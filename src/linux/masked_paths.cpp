#include "vessel/linux/masked_paths.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/linux/mounts.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::masked_paths {
namespace {

using explain::Chapter;

// O_PATH fd of `path` inside the root, or an invalid fd when it does not exist.
UniqueFd open_optional(int root_fd, const std::string& path) {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC | O_NOFOLLOW;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS;
    std::string relative = path.substr(path.find_first_not_of('/'));
    UniqueFd fd(
        static_cast<int>(::syscall(SYS_openat2, root_fd, relative.c_str(), &how, sizeof how)));
    if (!fd && errno != ENOENT) throw SysError("cannot open " + path + " in the container", errno);
    return fd;
}

std::string via(int fd) {
    return fmt::format("/proc/self/fd/{}", fd);
}

void do_mount(const char* source, const std::string& target, const char* fstype,
              unsigned long flags, const char* data, const std::string& shown,
              std::string_view why) {
    long rc = ::mount(source, target.c_str(), fstype, flags, data);
    int err = errno;
    explain::syscall(Chapter::kMaskedPaths, shown, rc, err, why);
    if (rc != 0) throw SysError("cannot mask " + shown, err);
}

// The flags a bind remount must keep: inside a user namespace the kernel refuses to drop
// nosuid, nodev or noexec from a mount that has them ("locked" flags).
unsigned long kept_flags(int fd) {
    struct statvfs st {};
    if (::fstatvfs(fd, &st) != 0) return 0;
    unsigned long flags = 0;
    if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
    if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
    if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    return flags;
}

}  // namespace

void apply(int root_fd, const std::vector<std::string>& masked,
           const std::vector<std::string>& readonly) {
    // The container's /dev/null, checked: a character device 1:3, not a link or a file.
    UniqueFd null = open_optional(root_fd, "/dev/null");
    struct stat st {};
    if (!null || ::fstat(null.get(), &st) != 0 || !S_ISCHR(st.st_mode) ||
        st.st_rdev != makedev(1, 3))
        throw Error(
            "the container's /dev/null is not the null device (char 1:3); refusing to mask with "
            "it");
    explain::step(Chapter::kMaskedPaths, "fstat(\"rootfs/dev/null\") = {S_IFCHR, makedev(1, 3)}",
                  "0", "the real null device: safe to bind over files");

    for (const auto& path : masked) {
        UniqueFd target = open_optional(root_fd, path);
        if (!target) continue;  // this kernel has no such file
        if (::fstat(target.get(), &st) != 0) throw SysError("cannot stat " + path, errno);
        if (S_ISDIR(st.st_mode)) {
            do_mount(
                "tmpfs", via(target.get()), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "size=0,mode=0555",
                fmt::format("mount(\"tmpfs\", \"rootfs{}\", \"tmpfs\", MS_RDONLY|..., \"size=0\")",
                            path),
                "masked: an empty read-only directory");
        } else {
            do_mount(
                via(null.get()).c_str(), via(target.get()), nullptr, MS_BIND, nullptr,
                fmt::format("mount(\"rootfs/dev/null\", \"rootfs{}\", NULL, MS_BIND, NULL)", path),
                "masked: reads as empty");
        }
    }
    for (const auto& path : readonly) {
        UniqueFd target = open_optional(root_fd, path);
        if (!target) continue;
        do_mount(
            via(target.get()).c_str(), via(target.get()), nullptr, MS_BIND | MS_REC, nullptr,
            fmt::format("mount(\"rootfs{0}\", \"rootfs{0}\", NULL, MS_BIND|MS_REC, NULL)", path),
            "read-only path: first a bind onto itself");
        // Reopen: the old fd names what is underneath the new bind mount.
        UniqueFd bound = open_optional(root_fd, path);
        if (!bound) throw SysError("cannot reopen " + path, errno);
        unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | kept_flags(bound.get());
        do_mount(nullptr, via(bound.get()), nullptr, flags, nullptr,
                 fmt::format("mount(NULL, \"rootfs{}\", NULL, {}, NULL)", path,
                             mounts::describe_flags(flags)),
                 "then read-only");
    }
}

}  // namespace vessel::masked_paths
