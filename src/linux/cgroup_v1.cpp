#include "vessel/linux/cgroup_v1.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "vessel/linux/cgroup_files.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::cgroups {
namespace {

// The controllers runc and docker put a container in.
constexpr const char* kControllers[] = {"cpu",     "cpuacct", "cpuset", "memory",
                                        "devices", "freezer", "blkio",  "pids"};

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

CgroupV1::CgroupV1(std::string mount_root, std::string id, bool hybrid)
    : root_(std::move(mount_root)), id_(std::move(id)), hybrid_(hybrid) {
    // Find each controller's hierarchy; "cpu" and "cpuacct" are often one mount ("cpu,cpuacct")
    // reached through symlinks, and must be joined once.
    std::vector<std::string> seen;
    for (const char* controller : kControllers) {
        std::string path = root_ + "/" + controller;
        struct stat st{};
        if (::stat((path + "/cgroup.procs").c_str(), &st) != 0) continue;
        std::string real = fs::real_path(path);
        if (std::find(seen.begin(), seen.end(), real) != seen.end()) continue;
        seen.push_back(real);
        hierarchies_.push_back({controller, path});
    }
}

std::string CgroupV1::dir(const std::string& controller) const {
    for (const auto& h : hierarchies_) {
        if (h.controller == controller) return h.mount + "/" + kParentName + "/" + id_;
    }
    return "";
}

void CgroupV1::create_in(const Hierarchy& h) {
    const std::string parent = h.mount + "/" + kParentName;
    const std::string dir = parent + "/" + id_;
    for (int attempt = 0;; ++attempt) {
        make_dir(parent);
        try {
            make_dir(dir);
            break;
        } catch (const SysError& e) {
            // Another container's cleanup removed the empty parent in between: make it again.
            if (e.err() != ENOENT || attempt == 5) throw;
        }
    }
    if (h.controller == "cpuset") {
        // A new v1 cpuset starts with no CPUs and no memory nodes, and no task may join it
        // until both are set: inherit them from the level above.
        for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
            for (const auto& [from, to] : {std::pair{h.mount, parent}, std::pair{parent, dir}}) {
                if (trim(fs::read_file(to + "/" + file)).empty())
                    write_file(to + "/" + file, trim(fs::read_file(from + "/" + file)));
            }
        }
    }
}

void CgroupV1::create(const Resources& r) {
    if (hierarchies_.empty())
        throw Error("no cgroup v1 controllers are mounted under " + root_);
    for (const auto& h : hierarchies_) create_in(h);
    if (hybrid_) {
        const std::string unified = root_ + "/unified/" + kParentName;
        make_dir(unified);
        make_dir(unified + "/" + id_);
        unified_fd_.reset(::open((unified + "/" + id_).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!unified_fd_) throw SysError("cannot open cgroup " + unified + "/" + id_, errno);
    }
    if (std::string pids = dir("pids"); !pids.empty() && r.pids_limit)
        write_file(pids + "/pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max");
}

void CgroupV1::add_process(pid_t pid) {
    for (const auto& h : hierarchies_)
        write_file(dir(h.controller) + "/cgroup.procs", std::to_string(pid));
}

void CgroupV1::kill_all() {
    bool killed = false;
    if (hybrid_) {
        std::string kill_file = root_ + "/unified/" + kParentName + "/" + id_ + "/cgroup.kill";
        if (fs::exists(kill_file)) {
            try {
                write_file(kill_file, "1");
                killed = true;
            } catch (const SysError&) {
            }
        }
    }
    // Without cgroup.kill, a loop of kill(2): a process forking as fast as we kill is stopped
    // by the pids limit and the repeated rounds.
    std::string procs = hierarchies_.empty() ? "" : dir(hierarchies_.front().controller) + "/cgroup.procs";
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
    std::vector<std::string> dirs;
    for (const auto& h : hierarchies_) dirs.push_back(h.mount + "/" + kParentName);
    if (hybrid_) dirs.push_back(root_ + "/unified/" + kParentName);
    for (const auto& parent : dirs) {
        remove_dir(parent + "/" + id_);
        ::rmdir(parent.c_str());  // the shared parent, when we were its last child (else EBUSY)
    }
}

bool CgroupV1::oom_killed() const {
    std::string memory = dir("memory");
    return !memory.empty() && read_key(memory + "/memory.oom_control", "oom_kill") > 0;
}

nlohmann::json CgroupV1::to_json() const {
    nlohmann::json paths = nlohmann::json::array();
    for (const auto& h : hierarchies_) paths.push_back(dir(h.controller));
    if (hybrid_) paths.push_back(root_ + "/unified/" + kParentName + "/" + id_);
    return {{"layout", hybrid_ ? "hybrid" : "legacy"}, {"root", root_}, {"id", id_}, {"paths", paths}};
}

}  // namespace vessel::cgroups
