#include "vessel/cli/resource_flags.hpp"

namespace vessel::cli {
namespace {

void add(CLI::App& app, const char* names, std::optional<std::string>& into, const char* help) {
    app.add_option_function<std::string>(
           names, [&into](const std::string& value) { into = value; }, help)
        ->option_text("VALUE")
        ->group("Resource limits (docs/cgroups.md)");
}

}  // namespace

void add_resource_flags(CLI::App& app, resources::Flags& f) {
    add(app, "-m,--memory", f.memory, "Memory limit (512m, 2g; the minimum is 6m; 0: no limit)");
    add(app, "--memory-swap", f.memory_swap,
        "Memory plus swap (default: twice --memory; -1: unlimited swap)");
    add(app, "--cpus", f.cpus, "CPUs the container may use (0.5 = half of one CPU)");
    add(app, "--cpu-shares", f.cpu_shares, "Relative CPU weight when CPUs are busy (default 1024)");
    add(app, "--cpuset-cpus", f.cpuset_cpus, "CPUs the container may run on (0-1, 0,2)");
    add(app, "--pids-limit", f.pids_limit, "Most tasks at once (default 4096; 0 or -1: no limit)");
}

}  // namespace vessel::cli
