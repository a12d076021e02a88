// What `vessel inspect` prints, kernel-free: everything known about a container as one JSON
// object shaped like docker's (Id, Name, State{Status, Running, Pid, ExitCode, OOMKilled...}),
// plus what vessel can show that docker hides (namespace ids, cgroup paths, the monitor), and
// docker's `--format '{{.State.Pid}}'` for the simple cases.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "vessel/core/state.hpp"
#include "vessel/core/status.hpp"

namespace vessel::inspect {

struct Observed {
    LiveStatus status = LiveStatus::kExited;
    bool owner_alive = false;
    std::map<std::string, uint64_t> namespaces;  // "pid" -> inode of /proc/PID/ns/pid; running only
    std::string state_dir;
};

nlohmann::json document(const ContainerState& state, const Observed& observed);

// Renders a template in which every {{.Path.To.Field}} is replaced by that field of `doc`
// (strings bare, anything else as JSON) and {{json .Path}} by its JSON. Throws Error (125) for
// a template it cannot read or a field that does not exist.
std::string render(const std::string& tmpl, const nlohmann::json& doc);

}  // namespace vessel::inspect
