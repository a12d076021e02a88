// Putting a new process into a running container's cgroups, for `vessel exec` (docs/cgroups.md,
// docs/lifecycle.md). The container's cgroup directories are the ones recorded in state.json
// ("cgroup.paths"); each is either a cgroup2 directory (pure v2, or the hybrid layout's
// <root>/unified one) or a v1 hierarchy's.
//
//   cgroup2   clone3(CLONE_INTO_CGROUP, dir fd): the child is born inside, never counted elsewhere
//   v1        the parent writes the child's pid to cgroup.procs before releasing it
//
// Everything is opened before exec joins the container's mount namespace, where the host's
// /sys/fs/cgroup is out of sight.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vessel/util/unique_fd.hpp"

namespace vessel::cgroups {

class JoinTarget {
  public:
    // Opens the directories recorded in a state.json "cgroup" object. Throws SysError when one
    // is missing (the container is being removed).
    static JoinTarget open(const nlohmann::json& recorded);

    // A cgroup2 directory fd for clone3(CLONE_INTO_CGROUP), or -1.
    int clone_fd() const { return clone_dir_.get(); }
    // Writes `pid` to the cgroup.procs of every directory that clone3 did not place it in
    // (`placed_by_clone`: whether CLONE_INTO_CGROUP was used and worked).
    void add(pid_t pid, bool placed_by_clone) const;

  private:
    struct Procs {
        UniqueFd fd;      // cgroup.procs, open for writing
        std::string dir;  // for the trace and messages
    };
    UniqueFd clone_dir_;     // the cgroup2 directory, if any
    Procs clone_dir_procs_;  // its cgroup.procs, for when clone3 could not place the child
    std::vector<Procs> v1_;  // every v1 hierarchy's
};

}  // namespace vessel::cgroups
