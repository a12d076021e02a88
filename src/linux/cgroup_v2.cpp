#include "vessel/linux/cgroup_v2.hpp"

#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <sstream>

#include "vessel/linux/cgroup_files.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::cgroups {
namespace {

// The controllers a container's limits need, in the order the kernel lists them.
constexpr const char* kWanted[] = {"cpuset", "cpu", "io", "memory", "pids"};

// Turns on, in `dir`'s children, every wanted controller that `dir` has and has not yet enabled.
// A cgroup only offers a controller to its children when its subtree_control says so.
void enable_controllers(const std::string& dir) {
    auto available = fs::try_read_file(dir + "/cgroup.controllers").value_or("");
    auto enabled = fs::try_read_file(dir + "/cgroup.subtree_control").value_or("");
    auto has = [](const std::string& list, const char* name) {
        std::istringstream in(list);
        std::string word;
        while (in >> word) {
            if (word == name) return true;
        }
        return false;
    };
    std::string request;
    for (const char* name : kWanted) {
        if (has(available, name) && !has(enabled, name)) request += std::string(request.empty() ? "+" : " +") + name;
    }
    if (!request.empty()) write_file(dir + "/cgroup.subtree_control", request);
}

}  // namespace

CgroupV2::CgroupV2(std::string mount_root, std::string id)
    : root_(std::move(mount_root)),
      id_(std::move(id)),
      parent_(root_ + "/" + kParentName),
      dir_(parent_ + "/" + id_) {}

void CgroupV2::ensure_parent() {
    enable_controllers(root_);
    make_dir(parent_);
    // The parent never holds processes itself (cgroup v2's "no internal processes" rule), so its
    // controllers can be handed down to the containers' cgroups.
    enable_controllers(parent_);
}

void CgroupV2::create(const Resources& resources) {
    // Another container's cleanup may remove the (empty) parent between our mkdirs: retry.
    for (int attempt = 0;; ++attempt) {
        ensure_parent();
        try {
            make_dir(dir_);
            break;
        } catch (const SysError& e) {
            if (e.err() != ENOENT || attempt == 5) throw;
        }
    }
    apply(resources);
    dir_fd_.reset(::open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd_) throw SysError("cannot open cgroup " + dir_, errno);
}

void CgroupV2::apply(const Resources& r) {
    if (r.pids_limit)
        write_file(dir_ + "/pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max");
}

void CgroupV2::add_process(pid_t pid) { write_file(dir_ + "/cgroup.procs", std::to_string(pid)); }

void CgroupV2::kill_all() {
    // cgroup.kill (Linux 5.14) kills every process in the cgroup, atomically against forks.
    bool killed = false;
    if (fs::exists(dir_ + "/cgroup.kill")) {
        try {
            write_file(dir_ + "/cgroup.kill", "1");
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
    // Remove the shared parent too when we were its last child; another container may be
    // using it, and then rmdir fails with EBUSY, which is fine.
    ::rmdir(parent_.c_str());
}

bool CgroupV2::oom_killed() const { return read_key(dir_ + "/memory.events", "oom_kill") > 0; }

nlohmann::json CgroupV2::to_json() const {
    return {{"layout", "unified"}, {"root", root_}, {"id", id_}, {"paths", {dir_}}};
}

}  // namespace vessel::cgroups
