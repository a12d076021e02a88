#include "vessel/copy/container_copy.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <optional>

#include <fmt/format.h>

#include "vessel/core/copy_plan.hpp"
#include "vessel/linux/container_mounts.hpp"
#include "vessel/linux/process.hpp"
#include "vessel/linux/rootfs.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/log.hpp"
#include "vessel/util/tree_copy.hpp"

namespace vessel::copy {
namespace {

// `path` (absolute, inside the container) opened as if `root` were "/": "..", "/" and every
// symlink stay inside. An empty fd and errno on failure.
UniqueFd open_in_root(int root, const std::string& path, int flags) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    std::string rel = path;
    while (rel.starts_with('/')) rel.erase(0, 1);
    if (rel.empty()) rel = ".";
    return UniqueFd(static_cast<int>(::syscall(SYS_openat2, root, rel.c_str(), &how, sizeof how)));
}

// Where to find a path, on either side: the directory that holds it (open), and its name there
// ("." for a root).
struct Place {
    UniqueFd dir;
    std::string name;
};

std::optional<bool> is_dir_at(const Place& p) {
    struct stat st {};
    if (::fstatat(p.dir.get(), p.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return std::nullopt;
        throw SysError("cannot stat " + p.name, errno);
    }
    return S_ISDIR(st.st_mode);
}

Place container_place(int root, const std::string& path) {
    const std::string base = base_name(path);
    if (base == "/") return {open_in_root(root, "/", O_RDONLY | O_DIRECTORY), "."};
    UniqueFd dir = open_in_root(root, dir_name(path), O_RDONLY | O_DIRECTORY);
    if (!dir) throw SysError("cannot open " + dir_name(path) + " in the container", errno);
    return {std::move(dir), base};
}

Place host_place(const std::string& path) {
    const std::string base = base_name(path);
    if (base == "/") return {UniqueFd(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)), "."};
    const std::string dir = dir_name(path);
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw SysError("cannot open " + dir + " on the host", errno);
    return {std::move(fd), base};
}

void do_copy(int root, const Request& r) {
    const std::string& src = r.to_container ? r.host_path : r.container_path;
    const std::string& dest = r.to_container ? r.container_path : r.host_path;
    Place from = r.to_container ? host_place(src) : container_place(root, src);
    auto src_is_dir = is_dir_at(from);
    if (!src_is_dir)
        throw Error(r.to_container
                        ? "cp: " + src + " does not exist on the host"
                        : "Could not find the file " + src + " in container " + r.id.substr(0, 12));
    // DEST: does it exist, and is it a directory? Asked on the side it is on, the same way.
    std::optional<bool> dest_is_dir;
    {
        UniqueFd probe = r.to_container ? open_in_root(root, dest, O_PATH)
                                        : UniqueFd(::open(dest.c_str(), O_PATH | O_CLOEXEC));
        if (probe) {
            struct stat st {};
            if (::fstat(probe.get(), &st) != 0) throw SysError("cannot stat " + dest, errno);
            dest_is_dir = S_ISDIR(st.st_mode);
        }
    }
    const CopyPlan plan = plan_copy(src, *src_is_dir, dest, dest_is_dir);
    UniqueFd to_dir = r.to_container
                          ? open_in_root(root, plan.dir, O_RDONLY | O_DIRECTORY)
                          : UniqueFd(::open(plan.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!to_dir)
        throw SysError(fmt::format("cp: the destination directory {} must exist", plan.dir), errno);
    const tree_copy::Options options{.keep_owner = r.archive};
    if (plan.name.empty()) {
        // "SRC/." into an existing directory: SRC's contents, merged.
        UniqueFd src_dir(::openat(from.dir.get(), from.name.c_str(),
                                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!src_dir) throw SysError("cannot open " + src, errno);
        tree_copy::copy_contents(src_dir.get(), to_dir.get(), options);
    } else {
        tree_copy::copy_entry(from.dir.get(), from.name, to_dir.get(), plan.name, options);
    }
}

// Runs `work` on the root of a container that is not running, in a helper process with a mount
// namespace of its own: the overlay and the container's mounts exist only there, and only for
// as long as the helper lives.
int in_stopped_container(const StateStore& store, const ContainerState& state,
                         const std::function<void(int)>& work) {
    pid_t pid = ::fork();
    if (pid < 0) throw SysError("fork", errno);
    if (pid == 0) {
        int code = 0;
        try {
            if (::unshare(CLONE_NEWNS) != 0) throw SysError("unshare(CLONE_NEWNS)", errno);
            if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
                throw SysError("cannot make our mounts private", errno);
            auto sources = container_mounts::open_sources(state.spec.mounts);
            const auto layout =
                rootfs::Layout::in_state_dir(state.spec.image, store.dir_of(state.spec.id));
            UniqueFd root = rootfs::mount_overlay(layout);
            container_mounts::attach(root.get(), state.spec.mounts, sources);
            work(root.get());
        } catch (const Error& e) {
            spdlog::error("{}", e.what());
            code = e.exit_code();
        } catch (const std::exception& e) {
            spdlog::error("{}", e.what());
            code = exit_code::kRuntimeError;
        }
        std::fflush(stdout);
        ::_exit(code);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : exit_code::kRuntimeError;
}

}  // namespace

int run(const StateStore& store, const Request& r) {
    const ContainerState state = store.load(r.id);
    auto work = [&](int root) { do_copy(root, r); };
    if (state.status == Status::kRunning && process::is_alive(state.init)) {
        // The pidfd pins the process we checked; /proc/PID/root is then its root, and we check
        // again after opening it that PID still names that process.
        UniqueFd pidfd = process::open_pidfd(state.init);
        if (pidfd) {
            UniqueFd root(::open(fmt::format("/proc/{}/root", state.init.pid).c_str(),
                                 O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            if (root && process::send_signal(pidfd.get(), 0)) {
                work(root.get());
                return 0;
            }
        }
    }
    return in_stopped_container(store, state, work);
}

}  // namespace vessel::copy
