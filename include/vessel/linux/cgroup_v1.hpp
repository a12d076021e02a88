// cgroup v1 (legacy and hybrid): one hierarchy per controller, so one directory per controller
// per container. The container's first process moves itself into each (cgroup_join.hpp); a
// process vessel adds from outside is written to cgroup.procs. In the hybrid layout, a directory
// in the cgroup2 tree at <root>/unified tracks the same processes: there,
// clone3(CLONE_INTO_CGROUP) places the child and cgroup.kill ends them all at once.
//
//   <root>/memory/vessel-<id>/memory.limit_in_bytes, memory.memsw.limit_in_bytes
//   <root>/cpu/vessel-<id>/cpu.cfs_quota_us, cpu.cfs_period_us, cpu.shares
//   <root>/cpuset/vessel-<id>/cpuset.cpus, cpuset.mems
//   <root>/pids/vessel-<id>/pids.max
//   <root>/devices/vessel-<id>/devices.deny, devices.allow
//   ... and a plain directory in cpuacct (counters for `vessel stats`)
#pragma once

#include <vector>

#include "vessel/linux/cgroups.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::cgroups {

class CgroupV1 final : public Cgroup {
  public:
    CgroupV1(std::string mount_root, std::string id, bool hybrid);

    void create_clone_target() override;
    void create(const Resources& resources) override;
    void set_limits(const Resources& wanted, const Resources& current) override;
    void mount_in_container(int root_fd) const override;
    Usage usage() const override;
    int clone_fd() const override { return unified_fd_.get(); }
    bool complete_after_clone() const override { return false; }
    void add_process(pid_t pid) override;
    void kill_all() override;
    void freeze(bool frozen) override;
    bool frozen() const override;
    void destroy() override;
    bool oom_killed() const override;
    nlohmann::json to_json() const override;

    // The container's directory in the hierarchy that holds `controller` ("" when not mounted).
    std::string dir(const std::string& controller) const;

  private:
    struct Hierarchy {
        std::vector<std::string> controllers;  // {"cpu", "cpuacct"} when they share a hierarchy
        std::string mount;                     // how vessel reaches it: /sys/fs/cgroup/cpu
        std::string real;                      // its mount point: /sys/fs/cgroup/cpu,cpuacct
        std::string options;                   // the mount options naming it: "cpu,cpuacct"
    };
    void create_in(const Hierarchy& h);
    std::string unified_dir() const;  // the hybrid layout's cgroup2 directory
    std::string dir_in(const Hierarchy& h) const;
    void set_memory(const Resources& wanted);

    std::string root_;
    std::string id_;
    bool hybrid_;
    std::vector<Hierarchy> hierarchies_;
    UniqueFd unified_fd_;
};

}  // namespace vessel::cgroups
