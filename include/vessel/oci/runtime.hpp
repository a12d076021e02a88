// vessel as an OCI runtime (docs/oci.md): the verbs of runc's command line, on containers whose
// state lives in their own store (--root, /run/vessel-oci by default), started through the very
// launch `vessel run` uses (src/launch/). The CLI (src/oci/cli.cpp) only parses and calls these.
//
//   create:  config.json -> ContainerSpec -> launch() -> the child waits on <root>/.fifo/<id>
//            -> pid file, console socket -> `create` exits; the engine (a subreaper) adopts it
//   start:   open the fifo for reading: the child writes one byte, confines itself, execs
//   state, kill, pause, resume, delete, list, ps, features, spec, run
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vessel/core/state.hpp"

namespace vessel::oci {

inline constexpr const char* kDefaultRoot = "/run/vessel-oci";

struct CreateOptions {
    std::string bundle = ".";
    std::string pid_file;
    std::string console_socket;
    bool no_pivot = false;
    int preserve_fds = 0;
};

// Creates container `id` from its bundle; returns once its process waits for `start`. Throws
// Error (125) with nothing left behind.
void create(const StateStore& store, const std::string& id, const CreateOptions& options);
// Lets the created process exec its command.
void start(const StateStore& store, const std::string& id);
// Freezes every process of a running container (cgroup2's freezer; the hybrid layout's unified
// dir), and thaws a paused one. Throws Error (125) in any other state, or without cgroup2.
void pause(const StateStore& store, const std::string& id);
void resume(const StateStore& store, const std::string& id);
// runtime-spec's state: ociVersion, id, status (created, running, paused, stopped), pid, ...
nlohmann::json state(const StateStore& store, const std::string& id);
void kill(const StateStore& store, const std::string& id, int signal, bool all);
// `force` kills a running container first; a missing one is then no error (as runc).
void remove(const StateStore& store, const std::string& id, bool force);
std::vector<nlohmann::json> list(const StateStore& store);
// The host pids of every process in the container's cgroup.
std::vector<int> pids(const StateStore& store, const std::string& id);
struct ExecOptions {
    std::string process_file;  // --process: a runtime-spec "process" object, as engines pass it
    std::vector<std::string> args, env;
    std::string cwd, user, pid_file, console_socket;
    bool detach = false, tty = false;
    int preserve_fds = 0;
};

// A new process in a running container, through `vessel exec`'s own path (exec_into). Returns
// its exit status, or 0 at once with `detach`.
int exec(const StateStore& store, const std::string& id, const ExecOptions& options);

// create + start; unless `detach`, waits for the command and returns its exit status after
// deleting the container.
int run(const StateStore& store, const std::string& id, const CreateOptions& options, bool detach);

// runtime-spec features.md: what this runtime supports.
nlohmann::json features();

}  // namespace vessel::oci
