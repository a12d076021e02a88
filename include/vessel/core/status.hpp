// What a container is doing *now* (docs/lifecycle.md). state.json holds what the container's
// owner (a foreground `vessel run`, or the monitor of `run -d`) last wrote; the kernel knows
// whether the processes named there still exist. The status people see combines the two, so a
// container whose owner died is never shown "Up" forever. Kernel-free: the caller brings the
// liveness checks (launch/control.hpp does them with /proc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vessel/core/state.hpp"

namespace vessel {

enum class LiveStatus {
    kCreated,  // being set up: its owner is between mkdir and execve
    kRunning,  // PID 1 is alive
    kExiting,  // PID 1 is gone and its owner is recording the exit (milliseconds)
    kExited,   // the exit is recorded: exit code, finish time, OOM
    kDead,     // recorded as created/running, but PID 1 and its owner are both gone (the owner
               // was SIGKILLed along with its janitor, or the machine rebooted): exit unknown
};
std::string to_string(LiveStatus status);  // "created", "running", "exiting", "exited", "dead"

struct Liveness {
    bool init_alive = false;   // state.pid is still the process with state.pid_start_time
    bool owner_alive = false;  // same for state.owner_pid
};

LiveStatus derive_status(Status recorded, const Liveness& live);

// docker ps's STATUS column: "Created", "Up 3 seconds", "Exited (137) 2 minutes ago", "Exiting",
// "Dead". `now_ns` is the wall clock (clock::now_ns()).
std::string status_text(const ContainerState& state, LiveStatus status, int64_t now_ns);

// docker ps's CREATED column: "5 seconds ago".
std::string ago_text(int64_t then_ns, int64_t now_ns);

// docker ps's COMMAND column: the argv joined with spaces, in double quotes, cut to `width`
// characters with an ellipsis (0: never cut).
std::string command_text(const std::vector<std::string>& args, size_t width);

}  // namespace vessel
