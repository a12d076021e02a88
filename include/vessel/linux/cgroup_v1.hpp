// cgroup v1 (legacy and hybrid): one hierarchy per controller, so one directory per controller
// per container, and processes are moved in by writing cgroup.procs in each. In the hybrid
// layout, a directory in the cgroup2 tree at <root>/unified tracks the same processes: there,
// clone3(CLONE_INTO_CGROUP) places the child and cgroup.kill ends them all at once.
#pragma once

#include <vector>

#include "vessel/linux/cgroups.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::cgroups {

class CgroupV1 final : public Cgroup {
public:
    CgroupV1(std::string mount_root, std::string id, bool hybrid);

    void create(const Resources& resources) override;
    int clone_fd() const override { return unified_fd_.get(); }
    bool complete_after_clone() const override { return false; }
    void add_process(pid_t pid) override;
    void kill_all() override;
    void destroy() override;
    bool oom_killed() const override;
    nlohmann::json to_json() const override;

    // The container's directory in the hierarchy of `controller` ("" when not mounted).
    std::string dir(const std::string& controller) const;

private:
    struct Hierarchy {
        std::string controller;  // e.g. "memory"; co-mounted ones appear once ("cpu,cpuacct")
        std::string mount;       // e.g. /sys/fs/cgroup/memory
    };
    void create_in(const Hierarchy& h);

    std::string root_;
    std::string id_;
    bool hybrid_;
    std::vector<Hierarchy> hierarchies_;
    UniqueFd unified_fd_;
};

}  // namespace vessel::cgroups
