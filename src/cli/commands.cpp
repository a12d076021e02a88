#include <unistd.h>

#include <climits>
#include <cstdio>

#include "vessel/cli/command.hpp"
#include "vessel/linux/signals.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/log.hpp"
#include "vessel/volumes/volume_store.hpp"

namespace vessel::cli {

std::vector<std::unique_ptr<Command>> make_all(CLI::App& app) {
    std::vector<std::unique_ptr<Command>> commands;
    commands.push_back(make_run(app));
    commands.push_back(make_exec(app));
    commands.push_back(make_attach(app));
    commands.push_back(make_ps(app));
    commands.push_back(make_logs(app));
    commands.push_back(make_stop(app));
    commands.push_back(make_kill(app));
    commands.push_back(make_pause(app));
    commands.push_back(make_unpause(app));
    commands.push_back(make_rm(app));
    commands.push_back(make_inspect(app));
    commands.push_back(make_stats(app));
    commands.push_back(make_update(app));
    commands.push_back(make_pull(app));
    commands.push_back(make_login(app));
    commands.push_back(make_load(app));
    commands.push_back(make_save(app));
    commands.push_back(make_images(app));
    commands.push_back(make_rmi(app));
    commands.push_back(make_image(app));
    commands.push_back(make_cp(app));
    commands.push_back(make_volume(app));
    commands.push_back(make_network(app));
    commands.push_back(make_port(app));
    commands.push_back(make_info(app));
    return commands;
}

void require_root() {
    if (::geteuid() != 0)
        throw Error(
            "vessel must run as root: it creates namespaces, mounts and cgroups (try sudo)");
}

StateStore open_store(const GlobalOptions& global) {
    if (global.root.empty()) throw Error("--root must not be empty");
    if (global.root[0] == '/') return StateStore(global.root);
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd)) throw SysError("getcwd", errno);
    return StateStore(std::string(cwd) + "/" + global.root);
}

std::string data_root(const GlobalOptions& global) {
    if (global.data_root.empty()) return volumes::kDefaultDataRoot;
    if (global.data_root[0] == '/') return global.data_root;
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd)) throw SysError("getcwd", errno);
    return std::string(cwd) + "/" + global.data_root;
}

int parse_signal_option(const std::string& text) {
    auto sig = signals::parse(text);
    if (!sig)
        throw Error("invalid signal \"" + text + "\": use a name (TERM, SIGUSR1) or a number");
    return *sig;
}

int for_each_container(const std::vector<std::string>& references,
                       const std::function<void(const std::string&)>& action) {
    int status = 0;
    for (const auto& reference : references) {
        try {
            action(reference);
            std::printf("%s\n", reference.c_str());
            std::fflush(stdout);
        } catch (const Error& e) {
            spdlog::error("{}", e.what());
            status = exit_code::kRuntimeError;
        }
    }
    return status;
}

}  // namespace vessel::cli
