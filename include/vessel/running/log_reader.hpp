// `vessel logs` (docs/lifecycle.md): prints a detached container's log, stdout records to stdout
// and stderr records to stderr, and with -f keeps printing what the monitor appends until the
// container has exited and its monitor has written the last line. Following is event-driven: an
// inotify watch on the log file says when it grew, a pidfd on the monitor says when it is done.
#pragma once

#include <optional>

#include "vessel/core/state.hpp"

namespace vessel {

struct LogOptions {
    bool follow = false;
    std::optional<size_t> tail;  // the last N lines only; nullopt: all
    bool timestamps = false;     // prefix each line with the time it was written
};

// Throws Error (125) for a container that was not started with -d (it has no log).
void show_logs(const ContainerState& state, const LogOptions& options);

}  // namespace vessel
