// cgroups: where a container's processes are counted and limited (docs/cgroups.md).
//
// Three layouts exist in the wild, and vessel supports all three:
//   unified  /sys/fs/cgroup is cgroup2: one tree, limits in memory.max, pids.max, cpu.max...
//   hybrid   v1 controllers under /sys/fs/cgroup/<controller>, plus a cgroup2 tree at
//            /sys/fs/cgroup/unified with no controllers but cgroup.kill and cgroup.events
//   legacy   v1 controllers only
// Every container gets its own cgroup, <root>/vessel-<id> (in every v1 hierarchy on v1), owned
// by one Cgroup object that removes it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "vessel/core/spec.hpp"

namespace vessel::cgroups {

inline constexpr const char* kMountRoot = "/sys/fs/cgroup";
// A container's cgroup is "vessel-<id>" at the top of each hierarchy, beside the host's own
// (system.slice, ...): one directory per container and nothing shared, so there is no common
// parent to create, to race over with another container's removal, or to leave behind.
inline constexpr const char* kDirPrefix = "vessel-";
inline std::string dir_name(const std::string& id) {
    return kDirPrefix + id;
}

enum class Layout { kUnified, kHybrid, kLegacy };
std::string to_string(Layout layout);

// statfs(2) of /sys/fs/cgroup and /sys/fs/cgroup/unified: one or two syscalls, no parsing.
Layout detect(const std::string& mount_root = kMountRoot);

// What `vessel stats` shows, read from the cgroup's own files.
struct Usage {
    uint64_t cpu_ns = 0;                  // CPU time used by all its processes, ever
    int64_t memory = 0;                   // bytes in use, less the reclaimable page cache
    std::optional<int64_t> memory_limit;  // nullopt: no limit
    int64_t pids = 0;                     // tasks (processes and threads)
    std::optional<int64_t> pids_limit;    // nullopt: no limit
};

class Cgroup {
  public:
    virtual ~Cgroup() = default;

    // Creates only what clone3(CLONE_INTO_CGROUP) needs before the child exists: the cgroup2
    // directory (pure v2, or the hybrid layout's unified one). Nothing on legacy v1. The launch
    // makes everything else while the child builds its filesystem (docs/architecture.md).
    virtual void create_clone_target() = 0;
    // Creates the directories (those of create_clone_target() too, if not made yet) and writes
    // the limits. Throws Error/SysError; on failure the caller calls destroy(), which removes
    // whatever was created.
    virtual void create(const Resources& resources) = 0;
    // Writes the limits of `wanted` that differ from `current` (`vessel update`; create() calls
    // it with no limits as `current`). Unset limits are written as the kernel's "no limit".
    virtual void set_limits(const Resources& wanted, const Resources& current) = 0;
    // Child side, in the container's mount namespace and cgroup namespace, before pivot_root:
    // mounts the container's own cgroups read-only at <root>/sys/fs/cgroup.
    virtual void mount_in_container(int root_fd) const = 0;
    // The counters `vessel stats` shows. Throws SysError when the cgroup is gone.
    virtual Usage usage() const = 0;
    // A directory fd for clone3(CLONE_INTO_CGROUP), or -1 when the child must be added by pid.
    virtual int clone_fd() const = 0;
    // Whether clone3(CLONE_INTO_CGROUP) puts the child in *all* its cgroups (pure v2). Only then
    // may the child get its cgroup namespace at clone time.
    virtual bool complete_after_clone() const = 0;
    // Adds a process (by writing cgroup.procs) to every hierarchy the clone did not place it in.
    virtual void add_process(pid_t pid) = 0;
    // SIGKILLs every process in the cgroup and waits until it is empty.
    virtual void kill_all() = 0;
    // Freezes (true) or thaws (false) every process in the cgroup and waits until the kernel
    // reports it done (cgroup2's cgroup.freeze and cgroup.events; on the hybrid layout, the
    // unified dir's). Throws Error where there is no cgroup2 freezer (legacy v1 alone).
    virtual void freeze(bool frozen) = 0;
    // Whether the cgroup is frozen now (false where it cannot be).
    virtual bool frozen() const = 0;
    // Removes the directories (after kill_all). Quiet when they are already gone.
    virtual void destroy() = 0;
    // Whether the kernel's OOM killer killed a process of this cgroup.
    virtual bool oom_killed() const = 0;
    // What to store in state.json so a later command can find (and remove) the cgroup.
    virtual nlohmann::json to_json() const = 0;
};

// The backend for `layout`, for the container `id`. `mount_root` is /sys/fs/cgroup except in
// unit tests, which point it at a fake tree.
std::unique_ptr<Cgroup> make(Layout layout, const std::string& id,
                             const std::string& mount_root = kMountRoot);
// The backend recorded in a state.json "cgroup" object.
std::unique_ptr<Cgroup> from_json(const nlohmann::json& j);

// Limits that are all unset: what a new cgroup starts with.
Resources no_limits();

}  // namespace vessel::cgroups
