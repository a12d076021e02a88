// Signals (docs/process.md). vessel blocks the signals it forwards before it clones, and reads
// them from a signalfd afterwards: a signal that arrives while the container is starting waits
// in the queue instead of being lost or killing vessel halfway through.
#pragma once

#include <signal.h>

#include <optional>
#include <string>

#include "vessel/util/unique_fd.hpp"

namespace vessel::signals {

// SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH: what `vessel run` forwards.
sigset_t forwarded();

// Blocks `set` in this process (and so in children cloned from it).
void block(const sigset_t& set);

// A non-blocking signalfd for `set` (which must be blocked).
UniqueFd open_signalfd(const sigset_t& set);

// Child side, just before execve: nothing blocked, every disposition back to SIG_DFL, so the
// command starts the way a freshly booted process does, whatever vessel's caller had ignored.
void reset_for_exec();

// "TERM", "SIGTERM", "15" to 15; nullopt when unknown.
std::optional<int> parse(const std::string& text);
std::string name(int sig);  // 15 -> "SIGTERM"

}  // namespace vessel::signals
