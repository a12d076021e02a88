#include "vessel/linux/cgroup_v2.hpp"

#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <sstream>

#include <fmt/format.h>

#include "vessel/core/resources.hpp"
#include "vessel/linux/cgroup_files.hpp"
#include "vessel/linux/cgroup_view.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel::cgroups {
namespace {

// The controllers a container's limits need, in the order the kernel lists them.
constexpr const char* kWanted[] = {"cpuset", "cpu", "io", "memory", "pids"};

bool has_word(const std::string& list, const std::string& name) {
    std::istringstream in(list);
    std::string word;
    while (in >> word) {
        if (word == name) return true;
    }
    return false;
}

// Turns on, in `dir`'s children, every wanted controller that `dir` has and has not yet enabled.
// A cgroup only offers a controller to its children when its subtree_control says so.
void enable_controllers(const std::string& dir) {
    auto available = fs::try_read_file(dir + "/cgroup.controllers").value_or("");
    auto enabled = fs::try_read_file(dir + "/cgroup.subtree_control").value_or("");
    std::string request;
    for (const char* name : kWanted) {
        if (has_word(available, name) && !has_word(enabled, name))
            request += std::string(request.empty() ? "+" : " +") + name;
    }
    if (!request.empty())
        write_file(dir + "/cgroup.subtree_control", request,
                   "offer these controllers to the cgroups below");
}

}  // namespace

CgroupV2::CgroupV2(std::string mount_root, std::string id)
    : root_(std::move(mount_root)), id_(std::move(id)), dir_(root_ + "/" + dir_name(id_)) {}

void CgroupV2::create_clone_target() {
    if (dir_fd_) return;
    // The root cgroup is exempt from cgroup v2's "no internal processes" rule, so it can both
    // hold the host's processes and hand its controllers down to the containers' cgroups.
    enable_controllers(root_);
    make_dir(dir_, "the container's own cgroup");
    dir_fd_.reset(::open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd_) throw SysError("cannot open cgroup " + dir_, errno);
}

void CgroupV2::create(const Resources& resources) {
    create_clone_target();
    set_limits(resources, no_limits());
}

std::string CgroupV2::file(const std::string& name, const char* controller) const {
    std::string path = dir_ + "/" + name;
    if (!fs::exists(path))
        throw Error(
            fmt::format("cannot set {}: the {} controller is not available in cgroup {} (see "
                        "{}/cgroup.controllers)",
                        name, controller, dir_, root_));
    return path;
}

void CgroupV2::set_limits(const Resources& want, const Resources& now) {
    if (want.memory != now.memory || want.memory_swap != now.memory_swap) {
        write_file(file("memory.max", "memory"),
                   want.memory ? fmt::format("{}", *want.memory) : "max",
                   want.memory ? "hard limit: past it the kernel reclaims, then OOM-kills"
                               : "no memory limit");
        // v2 limits swap separately; docker's --memory-swap is memory plus swap.
        const int64_t swap_total = want.memory_swap.value_or(want.memory ? 2 * *want.memory : -1);
        const std::string swap =
            want.memory ? resources::swap_max_v2(*want.memory, swap_total) : "max";
        if (fs::exists(dir_ + "/memory.swap.max")) {
            write_file(dir_ + "/memory.swap.max", swap,
                       "swap on top of memory.max: --memory-swap minus --memory");
        } else if (want.memory_swap && want.memory && *want.memory_swap != 2 * *want.memory) {
            spdlog::warn(
                "this kernel has no swap accounting (no memory.swap.max): --memory-swap "
                "is ignored");
        }
    }
    if (want.cpus != now.cpus) {
        write_file(
            file("cpu.max", "cpu"),
            want.cpus
                ? fmt::format("{} {}", resources::cpu_quota_us(*want.cpus), resources::kCpuPeriodUs)
                : fmt::format("max {}", resources::kCpuPeriodUs),
            want.cpus
                ? fmt::format("--cpus {}: this much CPU time (us) per period (us)", *want.cpus)
                : "no CPU time limit");
    }
    if (want.cpu_shares != now.cpu_shares) {
        const uint64_t weight =
            want.cpu_shares ? resources::shares_to_weight(*want.cpu_shares) : 100;
        write_file(file("cpu.weight", "cpu"), fmt::format("{}", weight),
                   want.cpu_shares
                       ? fmt::format("--cpu-shares {} as a weight in 1..10000, as runc maps it",
                                     *want.cpu_shares)
                       : "the default weight");
    }
    if (want.cpuset_cpus != now.cpuset_cpus) {
        write_file(file("cpuset.cpus", "cpuset"), want.cpuset_cpus.value_or(""),
                   want.cpuset_cpus ? "the only CPUs the container may run on"
                                    : "empty: every CPU the parent has");
    }
    if (want.pids_limit != now.pids_limit) {
        const bool limited = want.pids_limit && *want.pids_limit > 0;
        write_file(file("pids.max", "pids"), limited ? fmt::format("{}", *want.pids_limit) : "max",
                   limited ? "fork() fails with EAGAIN past this many tasks" : "no task limit");
    }
}

void CgroupV2::mount_in_container(int root_fd) const {
    view::mount_unified(root_fd);
}

Usage CgroupV2::usage() const {
    if (!fs::exists(dir_)) throw SysError("cannot read cgroup " + dir_, ENOENT);
    Usage u;
    long long usec = read_key(dir_ + "/cpu.stat", "usage_usec");
    u.cpu_ns = usec > 0 ? static_cast<uint64_t>(usec) * 1000 : 0;
    // What docker shows as memory usage: all charged memory less the page cache that the
    // kernel could drop at once (inactive_file).
    int64_t current = read_number(dir_ + "/memory.current").value_or(0);
    long long inactive = read_key(dir_ + "/memory.stat", "inactive_file");
    u.memory = inactive > 0 && inactive < current ? current - inactive : current;
    u.memory_limit = read_number(dir_ + "/memory.max");
    u.pids = read_number(dir_ + "/pids.current").value_or(0);
    u.pids_limit = read_number(dir_ + "/pids.max");
    return u;
}

void CgroupV2::add_process(pid_t pid) {
    write_file(dir_ + "/cgroup.procs", std::to_string(pid), "move the child into the cgroup");
}

void CgroupV2::kill_all() {
    // cgroup.kill (Linux 5.14) kills every process in the cgroup, atomically against forks.
    bool killed = false;
    if (fs::exists(dir_ + "/cgroup.kill")) {
        try {
            write_file(dir_ + "/cgroup.kill", "1", "SIGKILL every process left in the cgroup");
            killed = true;
        } catch (const SysError&) {
        }
    }
    for (int round = 0; round < 2000; ++round) {
        auto pids = read_procs(dir_ + "/cgroup.procs");
        if (pids.empty()) return;
        if (!killed || round % 100 == 99)
            for (pid_t pid : pids) ::kill(pid, SIGKILL);
        timespec pause{0, 1'000'000};
        ::nanosleep(&pause, nullptr);
    }
    throw Error("processes in cgroup " + dir_ + " did not die");
}

void CgroupV2::destroy() {
    dir_fd_.reset();
    remove_dir(dir_);
}

void CgroupV2::freeze(bool frozen) {
    freeze_dir(dir_, frozen);
}

bool CgroupV2::frozen() const {
    return dir_frozen(dir_);
}

bool CgroupV2::oom_killed() const {
    return read_key(dir_ + "/memory.events", "oom_kill") > 0;
}

nlohmann::json CgroupV2::to_json() const {
    return {{"layout", "unified"}, {"root", root_}, {"id", id_}, {"paths", {dir_}}};
}

}  // namespace vessel::cgroups
