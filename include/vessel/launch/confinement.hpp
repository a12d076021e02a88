// Confinement: the last steps before execve, shared by every process vessel starts inside a
// container (`run`'s command and `exec`'s), so an exec'd process is held exactly as tightly as
// the container's own command (docs/security.md). In order:
//   user and groups -> (capabilities, no_new_privs, rlimits: docs/capabilities.md) -> fds -> seccomp
// Seccomp comes last because it may forbid the very calls the earlier steps make.
#pragma once

#include "vessel/core/spec.hpp"
#include "vessel/core/user_db.hpp"

namespace vessel::confinement {

// Child side, after the filesystem is final and the working directory entered; before the
// --init fork (which inherits all of it) and before execve.
void apply(const ContainerSpec& spec, const ResolvedUser& user);

// The very last step: every fd above 2 close-on-exec. Seccomp, when it comes, goes right after.
void seal_before_exec();

}  // namespace vessel::confinement
