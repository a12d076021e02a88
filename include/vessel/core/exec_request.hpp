// From `vessel exec -e A=1 -u user web sh` to the spec of the process to start in the running
// container `web`: the container's own spec with the command, environment, working directory,
// user and terminal replaced. Everything else (its namespaces, cgroup, capabilities, seccomp
// filter, rlimits) is the container's, untouched: an exec'd process is held exactly as tightly
// as the container's command (docs/lifecycle.md). Kernel-free, so unit tests cover it.
#pragma once

#include <string>
#include <vector>

#include "vessel/core/run_request.hpp"
#include "vessel/core/spec.hpp"
#include "vessel/core/user_db.hpp"

namespace vessel {

struct ExecRequest {
    std::vector<std::string> command;
    std::vector<std::string> env;  // -e, as for run
    std::string workdir;           // "" for the container's
    std::string user;              // "" for the container's
    bool tty = false, interactive = false, detach = false;
    // vessel-oci exec --detach (docs/oci.md): the process keeps the caller's fds 0-2, which an
    // engine fills with its own pipes (conmon relays them) or a pty it gets over the console
    // socket. So -d may come with -i or -t here: the engine, not vessel, holds the other end.
    bool keep_stdio = false;
};

// The user to resolve (in the container's /etc/passwd): -u, else the container's own.
std::string exec_user(const ContainerSpec& container, const ExecRequest& request);

// Checks what can be checked without the container: a command, an absolute -w, no -d with
// -i/-t. Throws Error (125).
void check_exec_request(const ExecRequest& request);

// check_exec_request, then the process's spec. `user` is exec_user() resolved. Throws Error (125).
ContainerSpec build_exec_spec(const ContainerSpec& container, const ExecRequest& request,
                              const ResolvedUser& user, const EnvLookup& lookup);

}  // namespace vessel
