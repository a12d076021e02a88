// Resource limits (docs/security.md): per-process ceilings such as the number of open files.
// A container never inherits the ones of the shell that started vessel: RLIMIT_NOFILE is
// 1024:524288 unless --ulimit says otherwise.
#pragma once

#include <sys/types.h>

#include <vector>

#include "vessel/core/security.hpp"

namespace vessel::rlimits {

// Sets each limit on process `pid` (0: ourselves) with prlimit(2). Raising a hard limit needs
// CAP_SYS_RESOURCE in the initial user namespace, so with a user namespace the parent does it.
void apply(pid_t pid, const std::vector<Ulimit>& limits);

}  // namespace vessel::rlimits
