#include "vessel/linux/ns_join.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::ns_join {
namespace {

using explain::Chapter;

struct NsId {
    dev_t dev;
    ino_t ino;
};

bool stat_ns(const std::string& path, NsId& id) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return false;
    id = {st.st_dev, st.st_ino};
    return true;
}

const char* flag_name(int flag) {
    switch (flag) {
        case CLONE_NEWUSER:
            return "CLONE_NEWUSER";
        case CLONE_NEWNS:
            return "CLONE_NEWNS";
        case CLONE_NEWUTS:
            return "CLONE_NEWUTS";
        case CLONE_NEWIPC:
            return "CLONE_NEWIPC";
        case CLONE_NEWNET:
            return "CLONE_NEWNET";
        case CLONE_NEWPID:
            return "CLONE_NEWPID";
        case CLONE_NEWCGROUP:
            return "CLONE_NEWCGROUP";
    }
    return "?";
}

}  // namespace

const std::vector<Kind>& kinds() {
    static const std::vector<Kind> all = {
        {"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
        {"net", CLONE_NEWNET},   {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP},
        {"mnt", CLONE_NEWNS},
    };
    return all;
}

std::string describe(int flags) {
    std::string out;
    for (const auto& k : kinds()) {
        if (!(flags & k.flag)) continue;
        if (!out.empty()) out += '|';
        out += flag_name(k.flag);
    }
    return out.empty() ? "0" : out;
}

std::map<std::string, uint64_t> ids_of(pid_t pid) {
    std::map<std::string, uint64_t> out;
    for (const auto& k : kinds()) {
        NsId id{};
        if (stat_ns(fmt::format("/proc/{}/ns/{}", pid, k.name), id)) out[k.name] = id.ino;
    }
    return out;
}

int differing(pid_t pid) {
    int flags = 0;
    for (const auto& k : kinds()) {
        NsId theirs{}, ours{};
        if (!stat_ns(fmt::format("/proc/{}/ns/{}", pid, k.name), theirs)) continue;
        if (!stat_ns(fmt::format("/proc/self/ns/{}", k.name), ours) || theirs.dev != ours.dev ||
            theirs.ino != ours.ino)
            flags |= k.flag;
    }
    return flags;
}

Target Target::open(int pidfd, pid_t pid, int flags) {
    Target t;
    t.pidfd_ = pidfd;
    const char* force = std::getenv("VESSEL_SETNS_FALLBACK");
    t.force_fallback_ = force && std::string(force) == "1";
    for (const auto& k : kinds()) {
        if (!(flags & k.flag)) continue;
        std::string path = fmt::format("/proc/{}/ns/{}", pid, k.name);
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw SysError("cannot open " + path, errno, "has the container just exited?");
        t.ns_fds_[k.flag] = std::move(fd);
    }
    return t;
}

void Target::join(int flags) const {
    if (flags == 0) return;
    if (!force_fallback_) {
        long rc = ::setns(pidfd_, flags);
        int err = errno;
        explain::syscall(Chapter::kLifecycle, fmt::format("setns(pidfd, {})", describe(flags)), rc,
                         err, "into the container's namespaces, all at once");
        if (rc == 0) return;
        // EINVAL from a kernel older than 5.8, which takes only namespace fds: nothing was
        // joined (pidfd setns is all or nothing), so the one-by-one path starts clean.
        if (err != EINVAL) {
            throw SysError("cannot join the container's namespaces", err,
                           err == ESRCH ? "the container has exited" : "");
        }
    }
    for (const auto& k : kinds()) {
        if (!(flags & k.flag)) continue;
        auto it = ns_fds_.find(k.flag);
        if (it == ns_fds_.end()) throw Error(fmt::format("{} namespace not opened", k.name));
        long rc = ::setns(it->second.get(), k.flag);
        int err = errno;
        explain::syscall(
            Chapter::kLifecycle,
            fmt::format("setns(open(\"/proc/PID/ns/{}\"), {})", k.name, flag_name(k.flag)), rc, err,
            "one namespace at a time");
        if (rc != 0)
            throw SysError(fmt::format("cannot join the container's {} namespace", k.name), err);
    }
}

}  // namespace vessel::ns_join
