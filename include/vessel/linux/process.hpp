// Processes by pidfd: a file descriptor that names one process for its whole life, so signals
// and waits can never hit a recycled pid (docs/process.md).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

#include "vessel/core/state.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::process {

// Field 22 of /proc/PID/stat (start time in clock ticks since boot); nullopt if pid is gone.
std::optional<uint64_t> start_time(pid_t pid);

// The identity of a live process, for state.json.
ProcessIdentity identify(pid_t pid);

// Whether the process recorded in `id` is still the same, running process.
bool is_alive(const ProcessIdentity& id);

// pidfd_open(2), checking that the process is still the one recorded. Invalid fd if it is gone.
UniqueFd open_pidfd(const ProcessIdentity& id);

// Sends `sig` through the pidfd. Returns false with errno set on failure.
bool send_signal(int pidfd, int sig);

// Waits for the process behind `pidfd` (our child) and returns its exit status the docker way:
// the exit code, or 128+N when it died of signal N.
int wait_exit_code(int pidfd);

// Converts a waitid() result to docker's exit status.
int exit_code_from_siginfo(int code, int status);

}  // namespace vessel::process
