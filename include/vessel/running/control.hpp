// Acting on a container from outside it (docs/lifecycle.md): every command but `run` reaches
// containers this way. There is no daemon to ask. Each command reads state.json, checks that the
// processes named there are still the same processes (pid + start time), and acts through pidfds,
// so that a pid the kernel has since given to another process is never signalled.
//
//   kill   pidfd_send_signal(PID 1, sig)
//   stop   SIGTERM, poll(pidfd) for the grace period, SIGKILL; then wait for the owner (the
//          monitor or foreground vessel) to record the exit and leave
//   rm     (-f: SIGKILL and the same wait), then the cgroup and the state directory go
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "vessel/core/inspect.hpp"
#include "vessel/core/state.hpp"
#include "vessel/core/status.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::control {

// The kernel's view of the processes a state names (two reads of /proc/PID/stat at most).
Liveness liveness(const ContainerState& state);
LiveStatus observe(const ContainerState& state);

// How a container is named in messages: its name, else its short id.
std::string display_name(const ContainerState& state);

// PID 1 as a pidfd. Throws Error (125) "container X is not running" unless it is.
UniqueFd open_init(const ContainerState& state);

// `vessel kill`: sends `sig` to PID 1. Throws Error when the container is not running.
void kill(const ContainerState& state, int sig);

// `vessel stop`: `sig` to every PID 1 at once, SIGKILL to those still there after `grace` (one
// grace period for all, as docker stops containers in parallel). Returns once each exit is
// recorded (or the state is gone, with --rm), with one entry per id: empty, or what went wrong.
// A container that is not running is left as it is: stopping it is not an error, as with docker.
std::vector<std::string> stop(const StateStore& store, const std::vector<std::string>& ids, int sig,
                              std::chrono::milliseconds grace);

// `vessel rm`: removes the container and everything it owns (cgroup, state, name). A running
// one only with `force`, which SIGKILLs it first. Throws Error (125) otherwise.
void remove(const StateStore& store, const std::string& id, bool force);

// Waits up to `timeout` for the container's owner to record its exit and go away. When the
// owner is already dead without having done so (SIGKILLed, or the machine rebooted), does its
// work: kills what is left in the cgroup, removes it, records the exit (the janitor's code).
void settle(const StateStore& store, const ContainerState& state,
            std::chrono::milliseconds timeout);

// Everything `vessel inspect` shows that needs the kernel: status, namespace ids, the owner.
inspect::Observed observe_for_inspect(const StateStore& store, const ContainerState& state);

// Polls a pidfd until its process exits; false after `timeout`.
bool wait_for_exit(int pidfd, std::chrono::milliseconds timeout);

}  // namespace vessel::control
