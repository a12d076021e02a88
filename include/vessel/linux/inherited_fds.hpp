// The descriptors a new process inherits from vessel, and how it lets go of them.
//
// clone3 and fork copy the whole fd table. vessel's parent holds host directories (the cgroup2
// directory for CLONE_INTO_CGROUP, /proc/PID/root of a container, the state directory...), and a
// directory fd is a way out of any root: `chdir("/proc/self/fd/4")` makes the host's directory
// the working directory, and `..` walks up to the host's `/` (CVE-2024-21626, runc's "Leaky
// Vessels"). Marking them close-on-exec is not enough: the process resolves the working directory
// and the command *before* execve. So every process that enters a container closes everything it
// does not need as its first step (run's child) or as soon as it has joined the container's
// namespaces and cgroup (exec's child), and keeps only sockets and pipes (docs/security.md lists
// every fd each process holds at each step).
#pragma once

#include <initializer_list>
#include <vector>

namespace vessel::inherited_fds {

// Closes every descriptor above 2 except those in `keep` (-1 entries are ignored). Traced.
void close_all_except(std::vector<int> keep);

// Throws Error when one of `fds` (-1 entries ignored) is a directory. For what a process keeps
// into the container: `vessel run -i IMG < /` would hand the host's `/` to the container as its
// stdin, and /proc/self/fd/0 would lead out of its root.
void refuse_directories(std::initializer_list<int> fds);

}  // namespace vessel::inherited_fds
