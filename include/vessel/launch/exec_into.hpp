// `vessel exec`: a new process inside a running container (docs/lifecycle.md).
//
//   vessel exec (stays on the host side)               the new process
//   pidfd_open(PID 1), identity checked
//   open: /proc/PID/root (for -u), the cgroup dirs,
//         /proc/PID/ns/* (old kernels)
//   confinement::prepare (seccomp.bpf, kept by run)
//   prctl(PR_SET_DUMPABLE, 0)
//   setns(pidfd, NEWNS|NEWUTS|NEWIPC|NEWNET|NEWPID)
//   clone3(CLONE_INTO_CGROUP) ───────────────────────▶ (born in the container's pid namespace)
//   kGo ─────────────────────────────────────────────▶ write(v1 tasks, "0"): moves itself
//                                                      setns(pidfd, NEWCGROUP[|NEWUSER])
//                                                      stdio, workdir, confinement::apply,
//   ◀──────────── EOF (execve done) or kError ──────── seal_before_exec (seccomp), execve
//   relay the terminal, forward signals, wait (or return at once with -d)
//
// Why fork at all: setns(CLONE_NEWPID) cannot move the caller, only decide where its next child
// is born, so only a child of ours can be inside the container's pid namespace. And why the
// cgroup namespace is joined by the child: on a cgroup2 mount with nsdelegate (systemd's), the
// kernel lets a process move another only between cgroups inside its own cgroup namespace's
// view, so the move happens first, from outside.
#pragma once

#include <sys/types.h>

#include <functional>

#include <string>

#include "vessel/core/exec_request.hpp"
#include "vessel/core/state.hpp"

namespace vessel {

// Runs `request` in the container `id` and returns its exit status (docker's: the command's own,
// 128+N for signal N, 126/127 when it cannot be executed or found), or 0 at once with -d.
// Throws Error (125) when the container is not running or vessel fails.
// `on_started` (vessel-oci exec's --pid-file and --console-socket) is called with the process's
// host pid once it has exec'd, and the master of its pty (-t), else -1; the fd stays ours.
int exec_into(const StateStore& store, const std::string& id, const ExecRequest& request,
              const std::function<void(pid_t, int)>& on_started = {});

}  // namespace vessel
