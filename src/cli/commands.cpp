#include <unistd.h>

#include "vessel/cli/command.hpp"
#include "vessel/util/error.hpp"

namespace vessel::cli {

std::vector<std::unique_ptr<Command>> make_all(CLI::App& app) {
    std::vector<std::unique_ptr<Command>> commands;
    commands.push_back(make_run(app));
    commands.push_back(make_stats(app));
    commands.push_back(make_update(app));
    return commands;
}

void require_root() {
    if (::geteuid() != 0)
        throw Error("vessel must run as root: it creates namespaces, mounts and cgroups (try sudo)");
}

}  // namespace vessel::cli
