#include "vessel/linux/cgroup_view.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include <sstream>

#include <fmt/format.h>

#include "vessel/linux/mounts.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::cgroups::view {
namespace {

using explain::Chapter;

// Never writable, never a way to run or open anything.
constexpr unsigned long kReadOnly = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;

bool is_controller(const std::string& option) {
    static constexpr const char* kKnown[] = {
        "cpuset",   "cpu",        "cpuacct", "blkio", "memory", "devices", "freezer", "net_cls",
        "net_prio", "perf_event", "hugetlb", "pids",  "rdma",   "misc",    "debug"};
    if (option.starts_with("name=")) return true;
    for (const char* known : kKnown)
        if (option == known) return true;
    return false;
}

}  // namespace

void mount_unified(int root_fd) {
    mounts::mount_in_root(root_fd, "cgroup", "/sys/fs/cgroup", "cgroup2", kReadOnly, nullptr,
                          Chapter::kCgroups,
                          "read-only; our cgroup namespace makes our own cgroup its root");
}

void mount_v1(int root_fd, const std::vector<V1Hierarchy>& hierarchies, bool hybrid) {
    // The directory under which the hierarchies hang: a small tmpfs, as docker and runc do.
    mounts::mount_in_root(root_fd, "tmpfs", "/sys/fs/cgroup", "tmpfs",
                          MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k", Chapter::kCgroups,
                          "a place for one mount per v1 hierarchy");
    for (const auto& h : hierarchies) {
        // Mounting an existing v1 hierarchy inside a cgroup namespace shows the namespace's
        // root, our own cgroup, as "/".
        mounts::mount_in_root(root_fd, "cgroup", "/sys/fs/cgroup/" + h.dir, "cgroup", kReadOnly,
                              h.options.c_str(), Chapter::kCgroups,
                              "this hierarchy, read-only, rooted at our own cgroup");
        UniqueFd dir = mounts::open_in_root(root_fd, "/sys/fs/cgroup", mounts::Create::kNothing);
        for (const auto& link : h.links) {
            long rc = ::symlinkat(h.dir.c_str(), dir.get(), link.c_str());
            int err = errno;
            explain::syscall(Chapter::kCgroups,
                             fmt::format("symlink({}, \"rootfs/sys/fs/cgroup/{}\")",
                                         explain::quote(h.dir), link),
                             rc, err, "a co-mounted controller, reachable by its own name");
            if (rc != 0 && err != EEXIST)
                throw SysError("cannot link /sys/fs/cgroup/" + link + " in the container", err);
        }
    }
    if (hybrid) {
        mounts::mount_in_root(root_fd, "cgroup", "/sys/fs/cgroup/unified", "cgroup2", kReadOnly,
                              nullptr, Chapter::kCgroups,
                              "the hybrid layout's cgroup2 tree, read-only, rooted at our cgroup");
    }
    mounts::mount_in_root(root_fd, nullptr, "/sys/fs/cgroup", nullptr, MS_REMOUNT | kReadOnly,
                          nullptr, Chapter::kCgroups,
                          "no new directories or links under /sys/fs/cgroup either",
                          mounts::Create::kNothing);
}

std::optional<std::string> v1_options_from_mountinfo(const std::string& mountinfo,
                                                     const std::string& mount_point) {
    // 30 23 0:26 / /sys/fs/cgroup/memory rw,relatime shared:12 - cgroup cgroup rw,memory
    std::istringstream lines(mountinfo);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string id, parent, devno, root, point;
        if (!(fields >> id >> parent >> devno >> root >> point) || point != mount_point) continue;
        std::string word;
        while (fields >> word && word != "-") {
        }
        std::string fstype, source, options;
        if (!(fields >> fstype >> source >> options) || fstype != "cgroup") continue;
        std::string out;
        std::istringstream opts(options);
        while (std::getline(opts, word, ',')) {
            if (!is_controller(word)) continue;
            out += (out.empty() ? "" : ",") + word;
        }
        if (!out.empty()) return out;
    }
    return std::nullopt;
}

}  // namespace vessel::cgroups::view
