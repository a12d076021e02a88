// cgroup v2 (unified): one tree, one directory per container, every controller in it.
//
//   <root>/cgroup.subtree_control     +cpuset +cpu +io +memory +pids (offer them below)
//   <root>/vessel-<id>/memory.max ...  the container's limits; clone3 puts PID 1 here
#pragma once

#include "vessel/linux/cgroups.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::cgroups {

class CgroupV2 final : public Cgroup {
  public:
    CgroupV2(std::string mount_root, std::string id);

    void create_clone_target() override;
    void create(const Resources& resources) override;
    void set_limits(const Resources& wanted, const Resources& current) override;
    void mount_in_container(int root_fd) const override;
    Usage usage() const override;
    int clone_fd() const override { return dir_fd_.get(); }
    bool complete_after_clone() const override { return true; }
    void add_process(pid_t pid) override;
    void kill_all() override;
    void freeze(bool frozen) override;
    bool frozen() const override;
    void destroy() override;
    bool oom_killed() const override;
    nlohmann::json to_json() const override;

    const std::string& dir() const { return dir_; }

  private:
    // The path of one of the container's interface files; throws a clear Error when the file
    // is missing because its controller is not enabled on this machine.
    std::string file(const std::string& name, const char* controller) const;

    std::string root_;  // the cgroup2 mount, /sys/fs/cgroup
    std::string id_;
    std::string dir_;  // <root>/vessel-<id>
    UniqueFd dir_fd_;
};

}  // namespace vessel::cgroups
