// What `vessel ps` prints, kernel-free: one row per container, as a table (docker's layout plus a
// PID column) or as JSON lines (docker's `--format json`: one object per line, so `jq` reads it
// and a line-oriented tool can too).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vessel/core/state.hpp"
#include "vessel/core/status.hpp"

namespace vessel::listing {

struct Row {
    std::string id;  // 12 characters, or 64 with --no-trunc
    std::string name;
    std::string image;    // the image directory's last component, or all of it with --no-trunc
    std::string command;  // "sleep 1000", cut to 20 characters unless --no-trunc
    std::string created;  // "5 seconds ago"
    std::string status;   // "Up 3 seconds"
    std::string ports;    // "0.0.0.0:8080->80/tcp, ..." while running (docs/network.md)
    std::string pid;      // PID 1 as the host sees it while running, else "-"
};

Row make_row(const ContainerState& state, LiveStatus status, int64_t now_ns, bool no_trunc);

// Columns padded to their widest cell plus three spaces, as docker's tabwriter does.
std::string render_table(const std::vector<Row>& rows);

// {"ID", "Names", "Image", "Command", "CreatedAt", "RunningFor", "Status", "State", "Pid",
// "ExitCode"}: docker's keys where docker has them.
nlohmann::json to_json(const ContainerState& state, LiveStatus status, int64_t now_ns,
                       bool no_trunc);

// Newest first, as docker lists them.
void sort_newest_first(std::vector<ContainerState>& states);

}  // namespace vessel::listing
