#include "vessel/linux/users.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::users {
namespace {

std::string read_in_root(int root_fd, const char* path) {
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, root_fd, path, &how, sizeof how)));
    if (!fd) {
        if (errno == ENOENT) return "";
        throw SysError(fmt::format("cannot open /{} in the image", path), errno);
    }
    return fs::read_fd(fd.get(), path);
}

}  // namespace

ResolvedUser resolve_in_root(int root_fd, const std::string& spec) {
    return resolve_user(spec, read_in_root(root_fd, "etc/passwd"),
                        read_in_root(root_fd, "etc/group"));
}

void switch_to(const ResolvedUser& user) {
    using explain::Chapter;
    long rc = ::setgroups(user.groups.size(), user.groups.data());
    int err = errno;
    explain::syscall(
        Chapter::kUsers,
        fmt::format("setgroups({}, [{}])", user.groups.size(), fmt::join(user.groups, ", ")), rc,
        err, "supplementary groups: the image's, not ours");
    if (rc != 0) throw SysError("setgroups", err);
    rc = ::setresgid(user.gid, user.gid, user.gid);
    err = errno;
    explain::syscall(Chapter::kUsers, fmt::format("setresgid({0}, {0}, {0})", user.gid), rc, err,
                     "");
    if (rc != 0) throw SysError(fmt::format("setresgid({})", user.gid), err);
    rc = ::setresuid(user.uid, user.uid, user.uid);
    err = errno;
    explain::syscall(Chapter::kUsers, fmt::format("setresuid({0}, {0}, {0})", user.uid), rc, err,
                     user.uid == 0 ? "root of the container" : "");
    if (rc != 0) throw SysError(fmt::format("setresuid({})", user.uid), err);
}

}  // namespace vessel::users
