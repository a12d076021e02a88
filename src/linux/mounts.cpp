#include "vessel/linux/mounts.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/util/error.hpp"

namespace vessel::mounts {
namespace {

UniqueFd openat2_in_root(int root_fd, const std::string& path, int flags) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return UniqueFd(
        static_cast<int>(::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how)));
}

std::string strip_slashes(std::string_view path) {
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    return std::string(path.empty() ? "." : path);
}

std::string show(const char* s) {
    return s ? explain::quote(s) : "NULL";
}

}  // namespace

UniqueFd open_in_root(int root_fd, std::string_view path_view, Create create) {
    const std::string path = strip_slashes(path_view);
    UniqueFd fd = openat2_in_root(root_fd, path, O_PATH);
    if (fd || errno != ENOENT || create == Create::kNothing) {
        if (!fd) throw SysError("cannot open /" + path + " in the container's root", errno);
        return fd;
    }
    // Missing: create the parent first (always a directory), then this entry, inside the root.
    size_t slash = path.rfind('/');
    std::string parent = slash == std::string::npos ? "." : path.substr(0, slash);
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    UniqueFd parent_fd = open_in_root(root_fd, parent, Create::kDirectory);
    // The parent fd is O_PATH; *at() calls need a real directory fd to create in.
    UniqueFd dir = openat2_in_root(root_fd, parent, O_RDONLY | O_DIRECTORY);
    if (!dir) throw SysError("cannot open /" + parent + " in the container's root", errno);
    int rc = create == Create::kDirectory ? ::mkdirat(dir.get(), name.c_str(), 0755)
                                          : ::mknodat(dir.get(), name.c_str(), S_IFREG | 0644, 0);
    if (rc != 0 && errno != EEXIST)
        throw SysError("cannot create /" + path + " in the container", errno);
    fd = openat2_in_root(root_fd, path, O_PATH);
    if (!fd) throw SysError("cannot open /" + path + " in the container's root", errno);
    return fd;
}

void mount_in_root(int root_fd, const char* source, std::string_view path, const char* fstype,
                   unsigned long flags, const char* data, explain::Chapter chapter,
                   std::string_view why, Create create) {
    UniqueFd target = open_in_root(root_fd, path, create);
    std::string via = fmt::format("/proc/self/fd/{}", target.get());
    long rc = ::mount(source, via.c_str(), fstype, flags, data);
    int err = errno;
    explain::traced(
        rc, err, chapter,
        [&] {
            return fmt::format("mount({}, \"rootfs{}\", {}, {}, {})", show(source),
                               path.starts_with('/') ? path : "/" + std::string(path), show(fstype),
                               describe_flags(flags), show(data));
        },
        why);
    if (rc != 0)
        throw SysError(fmt::format("cannot mount {} on {}", fstype ? fstype : source, path), err);
}

void mount(const char* source, const std::string& target, const char* fstype, unsigned long flags,
           const char* data, explain::Chapter chapter, std::string_view why) {
    long rc = ::mount(source, target.c_str(), fstype, flags, data);
    int err = errno;
    explain::traced(
        rc, err, chapter,
        [&] {
            return fmt::format("mount({}, {}, {}, {}, {})", show(source), explain::quote(target),
                               show(fstype), describe_flags(flags), show(data));
        },
        why);
    if (rc != 0)
        throw SysError(fmt::format("cannot mount {} on {}", fstype ? fstype : "", target), err);
}

std::string describe_flags(unsigned long flags) {
    static constexpr std::pair<unsigned long, const char*> kNames[] = {
        {MS_RDONLY, "MS_RDONLY"}, {MS_NOSUID, "MS_NOSUID"},           {MS_NODEV, "MS_NODEV"},
        {MS_NOEXEC, "MS_NOEXEC"}, {MS_REMOUNT, "MS_REMOUNT"},         {MS_BIND, "MS_BIND"},
        {MS_REC, "MS_REC"},       {MS_PRIVATE, "MS_PRIVATE"},         {MS_SLAVE, "MS_SLAVE"},
        {MS_SHARED, "MS_SHARED"}, {MS_STRICTATIME, "MS_STRICTATIME"}, {MS_RELATIME, "MS_RELATIME"},
    };
    std::string out;
    for (auto [bit, name] : kNames) {
        if (!(flags & bit)) continue;
        if (!out.empty()) out += '|';
        out += name;
        flags &= ~bit;
    }
    if (flags) out += fmt::format("{}{:#x}", out.empty() ? "" : "|", flags);
    return out.empty() ? "0" : out;
}

}  // namespace vessel::mounts
