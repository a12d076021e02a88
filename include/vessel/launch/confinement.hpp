// Confinement: the last steps before execve, shared by every process vessel starts inside a
// container (`run`'s command and `exec`'s), so an exec'd process is held exactly as tightly as
// the container's own command (docs/security.md).
//
// prepare() runs in the parent, before anything exists: it resolves the capabilities, the
// devices and the seccomp profile, and compiles the filter, so a bad profile is a clean error
// (exit 125) and the child has no JSON to parse. The child then, in order:
//   apply():            rlimits -> bounding set -> user and groups -> capabilities -> no_new_privs
//   seal_before_exec(): fds above 2 close-on-exec -> seccomp
// rlimits come first because raising a hard limit needs CAP_SYS_RESOURCE; the bounding set
// before the uid switch because dropping needs CAP_SETPCAP; seccomp last because it may forbid
// the very calls the earlier steps make. Without no_new_privs, loading a filter needs
// CAP_SYS_ADMIN, so then (as runc does) seccomp goes first, before privileges are dropped.
#pragma once

#include <optional>
#include <vector>

#include "vessel/core/spec.hpp"
#include "vessel/core/user_db.hpp"
#include "vessel/linux/devices.hpp"
#include "vessel/linux/seccomp.hpp"

namespace vessel::confinement {

struct Plan {
    ResolvedUser user;
    caps::Mask capabilities = 0;
    bool no_new_privs = true;
    std::vector<Ulimit> ulimits;
    std::optional<seccomp::Program> seccomp;   // none: unconfined
    std::string seccomp_file;                  // the cache file holding it, when there is one
    std::vector<devices::DeviceNode> devices;  // --device and, with --privileged, the host's
    std::vector<DeviceRule> device_rules;      // for the device cgroup
    bool privileged = false;
};

// Parent side. Throws Error (exit 125) for a bad profile, an unknown system call, a --device
// that is no device. `compiled`: the container's seccomp program as `run` compiled it (exec
// passes the one kept in the state directory), used instead of compiling the profile again.
// `cache_dir`: where compiled programs are kept between starts (seccomp_cache.hpp); "" for none.
Plan prepare(const ContainerSpec& spec, const ResolvedUser& user,
             std::optional<seccomp::Program> compiled = std::nullopt,
             const std::string& cache_dir = "");

// The seccomp filter a spec asks for, resolved against its capabilities and compiled (or taken
// from `cache_dir`, whose file is then named in `cached_file`); none for seccomp=unconfined.
std::optional<seccomp::Program> compile_seccomp(const Security& security,
                                                const std::string& cache_dir = "",
                                                std::string* cached_file = nullptr);

// Child side, after the filesystem is final and the working directory entered; before the
// --init fork (which inherits all of it) and before execve.
void apply(const Plan& plan);

// The very last steps: every fd above 2 close-on-exec, then the seccomp filter.
void seal_before_exec(const Plan& plan);

}  // namespace vessel::confinement
