// The monitor: what keeps a detached container (`vessel run -d`) company (docs/lifecycle.md).
//
//   vessel run -d ──fork──▶ monitor ── setsid, stdio to pipes ──▶ launch() ──clone3──▶ container
//        ▲                    │  (the same launch as a foreground run, janitor included)
//        └── kStarted{id} ────┘  or kError{125|126|127, reason}
//
// `vessel run -d` waits for one message from the monitor, prints the id (or the error) and
// exits. The monitor stays behind as the container's parent, as docker's containerd-shim does:
// it reaps PID 1, writes the container's output to <state dir>/container.log, serves `vessel
// attach` on <state dir>/attach.sock, forwards signals sent to it, and records the exit (code,
// time, OOM kill) or removes everything with --rm.
// vessel is never re-executed: the monitor is a fork of the `vessel run -d` process.
#pragma once

#include <string>

#include "vessel/core/spec.hpp"
#include "vessel/core/state.hpp"
#include "vessel/core/user_db.hpp"

namespace vessel {

inline constexpr const char* kLogFileName = "container.log";
inline constexpr const char* kMonitorLogName = "monitor.log";

// Starts `spec` detached and returns its id once its command has been exec'd. Throws Error with
// 125, 126 or 127 and the reason when it could not start; nothing is left behind then.
// `store`'s root must be absolute (the monitor leaves the working directory).
std::string start_detached(const StateStore& store, const ContainerSpec& spec,
                           const ResolvedUser& user);

}  // namespace vessel
