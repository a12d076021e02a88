// The tail every process vessel starts inside a container ends with: `run`'s command, `exec`'s,
// and later the OCI create and exec (docs/process.md). One copy of these steps, as nsjail's
// containProc is for all of its modes, so that an exec'd process starts exactly like the
// container's own command. It runs in the new process, in the container's mount namespace (and
// root), and never returns: it ends in execve, or reports why it could not and _exits.
//
//   start_process(): [stdio from /dev/null] -> stdio (pty) -> working directory -> command
//                    lookup -> confinement::apply -> parent-death signal again ->
//                    confinement::seal_before_exec -> [--init fork] -> execve
#pragma once

#include <string>
#include <vector>

#include "vessel/core/spec.hpp"
#include "vessel/launch/confinement.hpp"
#include "vessel/launch/handshake.hpp"
#include "vessel/launch/kernel_steps.hpp"

namespace vessel {

// How the tail differs between the ways a process starts.
struct StartTail {
    const ContainerSpec* spec = nullptr;
    const confinement::Plan* confinement = nullptr;  // prepared by the parent (security.md)
    // `vessel exec -d`: nothing of the caller's terminal or pipes (run -d's monitor has given
    // PID 1 its stdio already).
    bool stdio_from_null = false;
    // Make the working directory when missing, as `docker run -w` does; `docker exec -w` does
    // not, and a missing one is then 126.
    bool create_workdir = false;
    // Foreground processes die with vessel (PR_SET_PDEATHSIG, re-armed after confinement).
    bool dies_with_parent = true;
    // `run --init`: PID 1 forks into vessel's init and the command.
    bool init = false;
};

// The tail's steps, in order, through `kernel` (kernel_steps.hpp). With LinuxSteps it ends in
// execve and never returns.
void start_process(const StartTail& tail, KernelSteps& kernel);

// For a catch (...) block of a process on its way to execve: reports the exception being
// handled (its exit code and errno when it is one of ours) over the handshake, and _exits.
[[noreturn]] void report_exception_and_exit(const handshake::ChildEnd& channel);

// Looks `name` up the way execvp does, but in the container's PATH (from the command's env, not
// vessel's), returning the path to exec. A name with a '/' is returned as is. Empty when no
// PATH entry has it. Runs inside the container.
std::string find_executable(const std::string& name, const std::vector<std::string>& env);

}  // namespace vessel
