#include "vessel/linux/namespaces.hpp"

#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::namespaces {

using explain::Chapter;

uint64_t clone_flags(const ContainerSpec& spec, bool cgroupns_at_clone) {
    // Not CLONE_NEWNET for --network none: the child makes its network namespace itself
    // (unshare_network_namespace) while the parent makes the cgroups.
    uint64_t flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
    if (cgroupns_at_clone) flags |= CLONE_NEWCGROUP;
    // --network bridge: the parent needs the namespace at once, to make the veth pair in it
    // while the child builds its filesystem (docs/network.md).
    if (spec.network == NetworkMode::kBridge) flags |= CLONE_NEWNET;
    if (spec.security.userns) flags |= CLONE_NEWUSER;  // --userns=remap (docs/user-namespaces.md)
    return flags;
}

std::string describe_flags(uint64_t flags) {
    static constexpr std::pair<uint64_t, const char*> kNames[] = {
        {CLONE_NEWNS, "CLONE_NEWNS"},
        {CLONE_NEWPID, "CLONE_NEWPID"},
        {CLONE_NEWUTS, "CLONE_NEWUTS"},
        {CLONE_NEWIPC, "CLONE_NEWIPC"},
        {CLONE_NEWNET, "CLONE_NEWNET"},
        {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
        {CLONE_NEWUSER, "CLONE_NEWUSER"},
        {CLONE_PIDFD, "CLONE_PIDFD"},
        {CLONE_INTO_CGROUP, "CLONE_INTO_CGROUP"},
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

Child clone_child(uint64_t flags, int cgroup_fd, std::string_view why) {
    int pidfd = -1;
    clone_args args{};
    args.flags = flags | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = static_cast<uint64_t>(cgroup_fd);
    }
    long rc = ::syscall(SYS_clone3, &args, sizeof args);
    int err = errno;
    if (rc == 0) {
        // The child: the caller runs the container's init steps next. It too must know that
        // it was born in its cgroup (and so in a cgroup namespace rooted there).
        return {.pid = 0, .pidfd = {}, .placed_in_cgroup = cgroup_fd >= 0};
    }

    std::string call =
        fmt::format("clone3({{flags={}, exit_signal=SIGCHLD{}}})", describe_flags(args.flags),
                    cgroup_fd >= 0 ? fmt::format(", cgroup={}", cgroup_fd) : "");
    if (rc > 0) {
        explain::syscall(Chapter::kNamespaces, call, rc, 0, why);
        return {.pid = static_cast<pid_t>(rc),
                .pidfd = UniqueFd(pidfd),
                .placed_in_cgroup = cgroup_fd >= 0};
    }
    explain::syscall(Chapter::kNamespaces, call, -1, err, why);
    if (err == ENOSYS) {
        // Linux < 5.3: clone(2) has no CLONE_INTO_CGROUP; the caller writes cgroup.procs.
        rc = ::syscall(SYS_clone, (flags | CLONE_PIDFD | SIGCHLD) & 0xffffffffULL, nullptr, &pidfd,
                       nullptr, nullptr);
        err = errno;
        if (rc == 0) return {};
        explain::syscall(
            Chapter::kNamespaces,
            fmt::format("clone(flags={}|SIGCHLD)", describe_flags(flags | CLONE_PIDFD)), rc, err,
            "fallback for kernels without clone3");
        if (rc > 0) {
            return {
                .pid = static_cast<pid_t>(rc), .pidfd = UniqueFd(pidfd), .placed_in_cgroup = false};
        }
    }
    throw SysError("cannot create the container process (clone3)", err,
                   err == EPERM    ? "are you root?"
                   : err == ENOSPC ? "too many namespaces"
                                   : "");
}

void unshare_network_namespace() {
    explain::checked(
        ::unshare(CLONE_NEWNET), Chapter::kNamespaces, [] { return "unshare(CLONE_NEWNET)"; },
        "an empty network, made while the parent makes our cgroups", "unshare(CLONE_NEWNET)");
}

void unshare_cgroup_namespace() {
    explain::checked(
        ::unshare(CLONE_NEWCGROUP), Chapter::kNamespaces, [] { return "unshare(CLONE_NEWCGROUP)"; },
        "its cgroups become the root it sees", "unshare(CLONE_NEWCGROUP)");
}

}  // namespace vessel::namespaces
