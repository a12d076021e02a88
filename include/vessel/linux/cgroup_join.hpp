// Putting a new process into a running container's cgroups, for `vessel exec` (docs/cgroups.md,
// docs/lifecycle.md). The container's cgroup directories are the ones recorded in state.json
// ("cgroup.paths"); each is either a cgroup2 directory (pure v2, or the hybrid layout's
// <root>/unified one) or a v1 hierarchy's.
//
//   cgroup2   clone3(CLONE_INTO_CGROUP, dir fd): the child is born inside, never counted elsewhere
//   v1        the child writes "0" (itself) to each hierarchy's `tasks`, as its first act
//
// Why the child, and why `tasks`: moving a whole process (cgroup.procs, or a pid written by
// another process) takes a per-CPU rw-semaphore for writing, which first waits for an RCU grace
// period, 7-15 ms here. A single-threaded process moving its one thread through `tasks` needs no
// such exclusion and takes 0.08 ms (docs/performance.md measured both).
//
// Everything is opened by the parent before exec joins the container's mount namespace, where
// the host's /sys/fs/cgroup is out of sight; the child inherits the descriptors.
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
    // Parent side: if clone3 could not place the child in the cgroup2 directory
    // (`placed_by_clone` false: no CLONE_INTO_CGROUP), writes its pid to that cgroup.procs.
    void add(pid_t pid, bool placed_by_clone) const;
    // Child side, single-threaded: moves itself into every v1 hierarchy through `tasks`.
    void join_self() const;

  private:
    struct Member {
        UniqueFd fd;      // cgroup.procs or tasks, open for writing
        std::string dir;  // for the trace and messages
    };
    UniqueFd clone_dir_;      // the cgroup2 directory, if any
    Member clone_dir_procs_;  // its cgroup.procs, for when clone3 could not place the child
    std::vector<Member> v1_;  // every v1 hierarchy's tasks
};

}  // namespace vessel::cgroups
