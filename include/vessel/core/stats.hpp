// `vessel stats`: from two readings of a container's cgroup counters to a row of the table that
// `docker stats` prints. Kernel-free; launch/stats.cpp takes the readings (docs/cgroups.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vessel::stats {

// One reading of a container's cgroup.
struct Sample {
    std::string id;
    std::string name;
    bool running = false;                 // false: no cgroup to read (the container is not running)
    int64_t at_ns = 0;                    // CLOCK_MONOTONIC when read
    uint64_t cpu_ns = 0;                  // CPU time of all its processes so far
    int64_t memory = 0;                   // bytes in use
    std::optional<int64_t> memory_limit;  // nullopt: no limit
    int64_t pids = 0;
};

struct Row {
    std::string id, name, cpu, memory, memory_percent, pids;
};

// CPU % is CPU time over wall time between the two readings, times 100: a container busy on
// two CPUs shows 200%, as in docker. Without a limit, memory is shown against the host's.
Row make_row(const Sample& before, const Sample& now, int64_t host_memory);

// The table, header first, columns padded like docker's.
std::string render(const std::vector<Row>& rows);

// The machine's RAM in bytes (what an unlimited container's memory is measured against).
int64_t host_memory();

}  // namespace vessel::stats
