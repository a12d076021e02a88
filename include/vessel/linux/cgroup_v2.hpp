// cgroup v2 (unified): one tree, one directory per container, every controller in it.
#pragma once

#include "vessel/linux/cgroups.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::cgroups {

class CgroupV2 final : public Cgroup {
public:
    CgroupV2(std::string mount_root, std::string id);

    void create(const Resources& resources) override;
    int clone_fd() const override { return dir_fd_.get(); }
    bool complete_after_clone() const override { return true; }
    void add_process(pid_t pid) override;
    void kill_all() override;
    void destroy() override;
    bool oom_killed() const override;
    nlohmann::json to_json() const override;

    const std::string& dir() const { return dir_; }

private:
    void ensure_parent();
    void apply(const Resources& resources);

    std::string root_;    // the cgroup2 mount, /sys/fs/cgroup
    std::string id_;
    std::string parent_;  // <root>/vessel
    std::string dir_;     // <root>/vessel/<id>
    UniqueFd dir_fd_;
};

}  // namespace vessel::cgroups
