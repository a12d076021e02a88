#include "vessel/linux/cgroup_v1.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "vessel/core/resources.hpp"
#include "vessel/linux/cgroup_files.hpp"
#include "vessel/linux/cgroup_view.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel::cgroups {
namespace {

// The controllers whose limits or counters vessel uses: cpu and cpuset (--cpus, --cpu-shares,
// --cpuset-cpus), cpuacct (stats), memory, devices, pids. runc also joins blkio and freezer;
// vessel has no flag for either, and every hierarchy joined costs each start two directory
// operations and a mount (docs/performance.md).
constexpr const char* kControllers[] = {"cpu", "cpuacct", "cpuset", "memory", "devices", "pids"};

// v1 spells "no limit" as -1 when written, and reads it back as the largest page-aligned count.
constexpr int64_t kUnlimitedFloor = int64_t{1} << 62;

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

std::string basename(const std::string& path) {
    return path.substr(path.rfind('/') + 1);
}

}  // namespace

CgroupV1::CgroupV1(std::string mount_root, std::string id, bool hybrid)
    : root_(std::move(mount_root)), id_(std::move(id)), hybrid_(hybrid) {
    // Find each controller's hierarchy; "cpu" and "cpuacct" are often one mount ("cpu,cpuacct")
    // reached through symlinks, and must be joined once.
    const std::string mountinfo = fs::try_read_file("/proc/self/mountinfo").value_or("");
    for (const char* controller : kControllers) {
        std::string path = root_ + "/" + controller;
        struct stat st {};
        if (::stat((path + "/cgroup.procs").c_str(), &st) != 0) continue;
        std::string real = fs::real_path(path);
        auto same = std::find_if(hierarchies_.begin(), hierarchies_.end(),
                                 [&](const Hierarchy& h) { return h.real == real; });
        if (same != hierarchies_.end()) {
            same->controllers.push_back(controller);
            continue;
        }
        hierarchies_.push_back({{controller}, path, real, ""});
    }
    for (auto& h : hierarchies_) {
        // The options a mount of this hierarchy must name; without mountinfo (a fake tree in
        // the unit tests) the directory's name says it, as systemd and cgroupfs-mount name them.
        h.options = view::v1_options_from_mountinfo(mountinfo, h.real).value_or(basename(h.real));
    }
}

std::string CgroupV1::dir_in(const Hierarchy& h) const {
    return h.mount + "/" + dir_name(id_);
}

std::string CgroupV1::dir(const std::string& controller) const {
    for (const auto& h : hierarchies_) {
        if (std::find(h.controllers.begin(), h.controllers.end(), controller) !=
            h.controllers.end())
            return dir_in(h);
    }
    return "";
}

void CgroupV1::create_in(const Hierarchy& h) {
    const std::string dir = dir_in(h);
    make_dir(dir, fmt::format("the container's cgroup for {}", h.options));
    if (std::find(h.controllers.begin(), h.controllers.end(), "cpuset") != h.controllers.end()) {
        // A new v1 cpuset starts with no CPUs and no memory nodes, and no task may join it
        // until both are set: inherit them from the hierarchy's root.
        for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
            if (trim(fs::read_file(dir + "/" + file)).empty())
                write_file(dir + "/" + file, trim(fs::read_file(h.mount + "/" + file)),
                           "a new v1 cpuset starts empty: inherit the root's");
        }
    }
}

std::string CgroupV1::unified_dir() const {
    return root_ + "/unified/" + dir_name(id_);
}

void CgroupV1::create_clone_target() {
    if (!hybrid_ || unified_fd_) return;
    make_dir(unified_dir(), "tracks the container's processes; has cgroup.kill");
    unified_fd_.reset(::open(unified_dir().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!unified_fd_) throw SysError("cannot open cgroup " + unified_dir(), errno);
}

void CgroupV1::create(const Resources& r) {
    if (hierarchies_.empty()) throw Error("no cgroup v1 controllers are mounted under " + root_);
    create_clone_target();
    for (const auto& h : hierarchies_) create_in(h);
    set_limits(r, no_limits());
}

void CgroupV1::set_memory(const Resources& want) {
    const std::string memory = dir("memory");
    if (memory.empty()) {
        if (want.memory)
            throw Error("cannot limit memory: the memory cgroup controller is not mounted");
        return;
    }
    const int64_t limit = want.memory.value_or(-1);
    // memory.memsw.limit_in_bytes is docker's --memory-swap: memory and swap together.
    const int64_t memsw = want.memory ? want.memory_swap.value_or(2 * limit) : -1;
    const std::string limit_file = memory + "/memory.limit_in_bytes";
    const std::string memsw_file = memory + "/memory.memsw.limit_in_bytes";
    auto write_limit = [&] {
        try {
            write_file(limit_file, fmt::format("{}", limit),
                       want.memory ? "hard limit: past it the kernel reclaims, then OOM-kills"
                                   : "no memory limit");
        } catch (const SysError& e) {
            // v1 refuses a limit below what the cgroup uses and cannot reclaim (v2 OOM-kills).
            if (e.err() != EBUSY) throw;
            throw Error(
                fmt::format("cannot lower the memory limit to {}: the container uses "
                            "more than that, and the kernel could not reclaim it",
                            resources::format_bytes(static_cast<double>(limit))));
        }
    };
    if (!fs::exists(memsw_file)) {
        // Swap accounting is off (swapaccount=0, or no swap support): memory alone is limited.
        if (want.memory_swap && want.memory && *want.memory_swap != 2 * *want.memory)
            spdlog::warn(
                "this kernel has no swap accounting (no memory.memsw.limit_in_bytes): "
                "--memory-swap is ignored");
        write_limit();
        return;
    }
    auto write_memsw = [&] {
        write_file(memsw_file, fmt::format("{}", memsw),
                   want.memory ? "memory plus swap (--memory-swap)" : "no memory+swap limit");
    };
    // The kernel keeps memory <= memory+swap at every moment, so the order of the two writes
    // depends on where the limits are going, as in runc.
    const int64_t current = read_number(limit_file).value_or(-1);
    const bool current_unlimited = current < 0 || current >= kUnlimitedFloor;
    if (memsw == -1 || (!current_unlimited && current < memsw)) {
        write_memsw();
        write_limit();
    } else {
        write_limit();
        write_memsw();
    }
}

void CgroupV1::set_limits(const Resources& want, const Resources& now) {
    if (want.memory != now.memory || want.memory_swap != now.memory_swap) set_memory(want);
    const std::string cpu = dir("cpu");
    if (cpu.empty() && (want.cpus || want.cpu_shares))
        throw Error("cannot limit CPU: the cpu cgroup controller is not mounted");
    if (want.cpus != now.cpus) {
        if (want.cpus)
            write_file(cpu + "/cpu.cfs_period_us", fmt::format("{}", resources::kCpuPeriodUs),
                       "the CFS bandwidth period: 100 ms");
        write_file(cpu + "/cpu.cfs_quota_us",
                   want.cpus ? fmt::format("{}", resources::cpu_quota_us(*want.cpus)) : "-1",
                   want.cpus
                       ? fmt::format("--cpus {}: this much CPU time (us) per period", *want.cpus)
                       : "no CPU time limit");
    }
    if (want.cpu_shares != now.cpu_shares) {
        write_file(cpu + "/cpu.shares", fmt::format("{}", want.cpu_shares.value_or(1024)),
                   "relative weight when CPUs are busy (1024 is everyone's default)");
    }
    if (want.cpuset_cpus != now.cpuset_cpus) {
        const std::string cpuset = dir("cpuset");
        if (cpuset.empty())
            throw Error("cannot pin CPUs: the cpuset cgroup controller is not mounted");
        std::string cpus =
            want.cpuset_cpus ? *want.cpuset_cpus : trim(fs::read_file(cpuset + "/../cpuset.cpus"));
        write_file(cpuset + "/cpuset.cpus", cpus,
                   want.cpuset_cpus ? "the only CPUs the container may run on"
                                    : "back to every CPU of the parent");
    }
    if (want.pids_limit != now.pids_limit) {
        const std::string pids = dir("pids");
        const bool limited = want.pids_limit && *want.pids_limit > 0;
        if (pids.empty()) {
            if (limited) spdlog::warn("the pids cgroup controller is not mounted: no task limit");
        } else {
            write_file(pids + "/pids.max", limited ? fmt::format("{}", *want.pids_limit) : "max",
                       limited ? "fork() fails with EAGAIN past this many tasks" : "no task limit");
        }
    }
}

void CgroupV1::mount_in_container(int root_fd) const {
    std::vector<view::V1Hierarchy> views;
    for (const auto& h : hierarchies_) {
        view::V1Hierarchy v{basename(h.real), h.options, {}};
        // Co-mounted controllers get a symlink each, like /sys/fs/cgroup/cpu -> cpu,cpuacct.
        std::string options = h.options + ",";
        for (size_t start = 0, comma; (comma = options.find(',', start)) != std::string::npos;
             start = comma + 1) {
            std::string name = options.substr(start, comma - start);
            if (name != v.dir && !name.starts_with("name=")) v.links.push_back(name);
        }
        views.push_back(std::move(v));
    }
    view::mount_v1(root_fd, views, hybrid_);
}

Usage CgroupV1::usage() const {
    const std::string memory = dir("memory"), cpuacct = dir("cpuacct"), pids = dir("pids");
    const std::string probe = hierarchies_.empty() ? "" : dir_in(hierarchies_.front());
    if (probe.empty() || !fs::exists(probe)) throw SysError("cannot read cgroup " + probe, ENOENT);
    Usage u;
    if (!cpuacct.empty())
        u.cpu_ns = static_cast<uint64_t>(read_number(cpuacct + "/cpuacct.usage").value_or(0));
    if (!memory.empty()) {
        // As docker: usage less the page cache the kernel could drop at once.
        int64_t usage = read_number(memory + "/memory.usage_in_bytes").value_or(0);
        long long inactive = read_key(memory + "/memory.stat", "total_inactive_file");
        u.memory = inactive > 0 && inactive < usage ? usage - inactive : usage;
        auto limit = read_number(memory + "/memory.limit_in_bytes");
        if (limit && *limit < kUnlimitedFloor) u.memory_limit = limit;
    }
    if (!pids.empty()) {
        u.pids = read_number(pids + "/pids.current").value_or(0);
        u.pids_limit = read_number(pids + "/pids.max");
    }
    return u;
}

void CgroupV1::add_process(pid_t pid) {
    for (const auto& h : hierarchies_)
        write_file(dir_in(h) + "/cgroup.procs", std::to_string(pid),
                   fmt::format("move the child into its {} cgroup", h.options));
}

void CgroupV1::kill_all() {
    bool killed = false;
    if (hybrid_) {
        std::string kill_file = unified_dir() + "/cgroup.kill";
        if (fs::exists(kill_file)) {
            try {
                write_file(kill_file, "1", "SIGKILL every process left in the cgroup");
                killed = true;
            } catch (const SysError&) {
            }
        }
    }
    // Without cgroup.kill, a loop of kill(2): a process forking as fast as we kill is stopped
    // by the pids limit and the repeated rounds.
    std::string procs = hierarchies_.empty() ? "" : dir_in(hierarchies_.front()) + "/cgroup.procs";
    for (int round = 0; round < 2000; ++round) {
        auto pids = read_procs(procs);
        if (pids.empty()) return;
        if (!killed || round % 100 == 99)
            for (pid_t pid : pids) ::kill(pid, SIGKILL);
        timespec pause{0, 1'000'000};
        ::nanosleep(&pause, nullptr);
    }
    throw Error("processes in cgroup " + procs + " did not die");
}

void CgroupV1::destroy() {
    unified_fd_.reset();
    for (const auto& h : hierarchies_) remove_dir(dir_in(h));
    if (hybrid_) remove_dir(unified_dir());
}

// The hybrid layout's unified dir has cgroup2's freezer (as it has cgroup.kill); vessel does not
// join v1's freezer controller, so legacy v1 alone cannot pause.
void CgroupV1::freeze(bool frozen) {
    if (!hybrid_)
        throw Error(
            "pausing needs cgroup2's freezer (cgroup.freeze), and this host has cgroup v1 only");
    freeze_dir(unified_dir(), frozen);
}

bool CgroupV1::frozen() const {
    return hybrid_ && dir_frozen(unified_dir());
}

bool CgroupV1::oom_killed() const {
    // memory.oom_control's oom_kill counter (Linux 4.13) counts the kills in this cgroup.
    std::string memory = dir("memory");
    return !memory.empty() && read_key(memory + "/memory.oom_control", "oom_kill") > 0;
}

nlohmann::json CgroupV1::to_json() const {
    nlohmann::json paths = nlohmann::json::array();
    for (const auto& h : hierarchies_) paths.push_back(dir_in(h));
    if (hybrid_) paths.push_back(unified_dir());
    return {
        {"layout", hybrid_ ? "hybrid" : "legacy"}, {"root", root_}, {"id", id_}, {"paths", paths}};
}

}  // namespace vessel::cgroups
