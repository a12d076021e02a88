#include "vessel/core/stats.hpp"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "vessel/core/resources.hpp"

namespace vessel::stats {

Row make_row(const Sample& before, const Sample& now, int64_t host_memory) {
    Row row;
    row.id = now.id.substr(0, 12);
    row.name = now.name.empty() ? row.id : now.name;
    if (!now.running) {
        row.cpu = row.memory = row.memory_percent = row.pids = "--";
        return row;
    }
    const int64_t wall = now.at_ns - before.at_ns;
    double cpu = 0;
    if (before.running && wall > 0 && now.cpu_ns >= before.cpu_ns)
        cpu = static_cast<double>(now.cpu_ns - before.cpu_ns) / static_cast<double>(wall) * 100.0;
    row.cpu = fmt::format("{:.2f}%", cpu);
    const int64_t limit = now.memory_limit ? *now.memory_limit : host_memory;
    row.memory = fmt::format("{} / {}", resources::format_bytes(static_cast<double>(now.memory)),
                             resources::format_bytes(static_cast<double>(limit)));
    row.memory_percent = limit > 0 ? fmt::format("{:.2f}%", static_cast<double>(now.memory) /
                                                                static_cast<double>(limit) * 100.0)
                                   : "--";
    row.pids = fmt::format("{}", now.pids);
    return row;
}

std::string render(const std::vector<Row>& rows) {
    std::vector<Row> all{{"CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS"}};
    all.insert(all.end(), rows.begin(), rows.end());
    size_t w[5] = {};
    for (const auto& r : all) {
        w[0] = std::max(w[0], r.id.size());
        w[1] = std::max(w[1], r.name.size());
        w[2] = std::max(w[2], r.cpu.size());
        w[3] = std::max(w[3], r.memory.size());
        w[4] = std::max(w[4], r.memory_percent.size());
    }
    std::string out;
    for (const auto& r : all) {
        out += fmt::format("{:<{}}   {:<{}}   {:<{}}   {:<{}}   {:<{}}   {}\n", r.id, w[0], r.name,
                           w[1], r.cpu, w[2], r.memory, w[3], r.memory_percent, w[4], r.pids);
    }
    return out;
}

int64_t host_memory() {
    long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? static_cast<int64_t>(pages) * size : 0;
}

}  // namespace vessel::stats
