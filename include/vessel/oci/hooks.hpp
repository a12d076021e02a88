// config.json's hooks (runtime-spec config.md#posix-platform-hooks), run by vessel-oci on the
// host: each hook is a program that gets the container's state JSON on stdin and must exit 0
// within its timeout. vessel runs createRuntime and prestart once the container's process
// waits in the created state (its namespaces exist, /proc/PID/ns/* names them), poststart
// after `start`, poststop after `delete` (docs/oci.md). createContainer and startContainer,
// which run inside the container, are not supported yet.
#pragma once

#include <string>
#include <vector>

#include "vessel/core/spec.hpp"

namespace vessel::oci {

// Runs `hooks` in order; throws Error naming the first that fails, times out or cannot start.
void run_hooks(const std::vector<HookSpec>& hooks, const std::string& stage,
               const std::string& state_json);

}  // namespace vessel::oci
