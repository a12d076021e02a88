// The CLI's shape: every command (run, exec, ps, ...) is one file in src/cli that registers a
// CLI11 subcommand with its flags and, once parsed, executes. cli/ only parses and calls launch/
// and core/; it holds no kernel code (docs/architecture.md).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vessel/core/state.hpp"

namespace vessel::cli {

struct GlobalOptions {
    std::string root = kDefaultStateRoot;  // --root: where containers' state lives
    std::string log_level = "warn";        // --log-level
    std::string data_root;                 // --data-root: images, volumes; "" = default
};

class Command {
  public:
    virtual ~Command() = default;
    // Runs the command after a successful parse; returns the process's exit status.
    virtual int execute(const GlobalOptions& global) = 0;
    // Commands shaped `NAME [OPTIONS] POSITIONAL COMMAND...` (run, exec) return true: what follows
    // their first positional argument is handed over untouched in `trailing`.
    virtual bool has_trailing_command() const { return false; }

    CLI::App* app = nullptr;
    std::vector<std::string> trailing;
};

// One factory per command file. Each adds its subcommand to `app`.
std::unique_ptr<Command> make_run(CLI::App& app);
std::unique_ptr<Command> make_exec(CLI::App& app);
std::unique_ptr<Command> make_attach(CLI::App& app);
std::unique_ptr<Command> make_ps(CLI::App& app);
std::unique_ptr<Command> make_logs(CLI::App& app);
std::unique_ptr<Command> make_stop(CLI::App& app);
std::unique_ptr<Command> make_kill(CLI::App& app);
std::unique_ptr<Command> make_rm(CLI::App& app);
std::unique_ptr<Command> make_inspect(CLI::App& app);
std::unique_ptr<Command> make_stats(CLI::App& app);   // stats.cpp (docs/cgroups.md)
std::unique_ptr<Command> make_update(CLI::App& app);  // update.cpp (docs/cgroups.md)
// images.cpp (docs/images.md): load, save, images, rmi, image inspect|prune
std::unique_ptr<Command> make_load(CLI::App& app);
std::unique_ptr<Command> make_pull(CLI::App& app);
std::unique_ptr<Command> make_login(CLI::App& app);
std::unique_ptr<Command> make_save(CLI::App& app);
std::unique_ptr<Command> make_images(CLI::App& app);
std::unique_ptr<Command> make_rmi(CLI::App& app);
std::unique_ptr<Command> make_image(CLI::App& app);
std::unique_ptr<Command> make_network(CLI::App& app);  // network.cpp (docs/network.md)
std::unique_ptr<Command> make_pause(CLI::App& app);    // pause.cpp (docs/lifecycle.md)
std::unique_ptr<Command> make_unpause(CLI::App& app);  // pause.cpp
std::unique_ptr<Command> make_port(CLI::App& app);     // port.cpp (docs/network.md)
std::unique_ptr<Command> make_volume(CLI::App& app);   // volume.cpp (docs/mounts.md)
std::unique_ptr<Command> make_cp(CLI::App& app);       // cp.cpp (docs/cp.md)
std::unique_ptr<Command> make_info(CLI::App& app);     // info.cpp

// The commands, in the order `vessel --help` lists them.
std::vector<std::unique_ptr<Command>> make_all(CLI::App& app);

// --data-root made absolute, or the default /var/lib/vessel.
std::string data_root(const GlobalOptions& global);

// Throws Error (125) unless we are root: namespaces, mounts and cgroups need it.
void require_root();

// The state store at --root, made absolute (a detached monitor leaves the working directory).
StateStore open_store(const GlobalOptions& global);

// The signal of a -s/--signal option: a name (TERM, SIGUSR1) or a number. Throws Error (125).
int parse_signal_option(const std::string& text);

// For commands that take several containers (stop, kill, rm): runs `action` on each reference,
// prints the reference on success as docker does, prints one error line per failure and goes on.
// Returns 0, or 125 if any failed.
int for_each_container(const std::vector<std::string>& references,
                       const std::function<void(const std::string& reference)>& action);

}  // namespace vessel::cli
