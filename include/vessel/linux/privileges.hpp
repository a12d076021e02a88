// Two one-way switches on a process (docs/security.md):
//   no_new_privs  execve can never again grant privileges: setuid bits and file capabilities
//                 are ignored. Also what lets an unprivileged process install a seccomp filter.
//   dumpable 0    /proc/PID of the process belongs to root of the initial namespace, and no one
//                 can ptrace it. A process joining a container (exec) sets it before setns, so
//                 the container cannot reach into it through /proc/PID/{exe,fd,mem}
//                 (CVE-2016-9962). execve resets it for the command.
#pragma once

namespace vessel::privileges {

void set_no_new_privs();
void set_non_dumpable();

}  // namespace vessel::privileges
