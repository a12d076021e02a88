// The last steps of every process vessel starts inside a container, `run`'s command and
// `exec`'s alike, from its terminal to execve (docs/process.md). One copy of them, so an exec'd
// process starts exactly like the container's own command. Each runs in the new process, in the
// container's mount namespace, and reports failures over the handshake.
//
//   set_up_stdio -> enter_workdir -> resolve_command -> (confinement) -> exec_command
#pragma once

#include <string>
#include <vector>

#include "vessel/core/spec.hpp"
#include "vessel/launch/handshake.hpp"

namespace vessel {

// Sends kError{code, err, text} to the parent (if it is still there) and _exits with `code`.
[[noreturn]] void report_and_exit(const Channel& channel, int code, int err,
                                  const std::string& text);

// For a catch (...) block of a process on its way to execve: reports the exception being
// handled (its exit code and errno when it is one of ours) as report_and_exit does.
[[noreturn]] void report_exception_and_exit(const Channel& channel);

// With -t, a pty from the container's own devpts, its master sent to the parent (kPtyMaster) and
// its slave as stdin, stdout, stderr and controlling terminal. Always a new session. Without -t
// and -i, stdin reads /dev/null, as under docker. A directory as stdio is refused.
void set_up_stdio(const ContainerSpec& spec, const Channel& channel);

// Enters the working directory, resolved inside the process's root with openat2(RESOLVE_IN_ROOT |
// RESOLVE_NO_MAGICLINKS), and checks with getcwd() that it is below that root. `create`: make it
// when missing, as `docker run -w` does (`docker exec -w` does not). Throws SysError.
void enter_workdir(const std::string& workdir, bool create);

// Throws SysError unless getcwd() names a directory below the process's root.
void check_workdir_inside_root(const std::string& workdir);

// Looks `name` up the way execvp does, but in the container's PATH (from the command's env, not
// vessel's), returning the path to exec. A name with a '/' is returned as is. Empty when no
// PATH entry has it. Runs inside the container.
std::string find_executable(const std::string& name, const std::vector<std::string>& env);

// find_executable for spec.args[0], or report_and_exit with 127 when it does not exist.
std::string resolve_command(const ContainerSpec& spec, const Channel& channel);

// The kernel clears PR_SET_PDEATHSIG whenever credentials change (a -u user, a user namespace),
// so after confinement the process arms it again, then checks that its parent (the other end of
// `to_parent`) is still there: had it died in between, nobody would be left to kill us.
void rearm_parent_death_signal(const Channel& to_parent);

// Docker's umask and default signal dispositions, then execve(path, spec.args, spec.env). On
// failure, reports 127 (ENOENT) or 126 and _exits.
[[noreturn]] void exec_command(const ContainerSpec& spec, const std::string& path,
                               const Channel& channel);

}  // namespace vessel
