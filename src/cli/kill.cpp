// vessel kill [-s SIGNAL] CONTAINER...
#include "vessel/cli/command.hpp"
#include "vessel/running/control.hpp"
#include "vessel/running/pause.hpp"
#include "vessel/util/error.hpp"

namespace vessel::cli {
namespace {

class KillCommand final : public Command {
  public:
    explicit KillCommand(CLI::App& parent) {
        app = parent.add_subcommand("kill", "Send a signal to containers' PID 1 (default SIGKILL)");
        app->add_option("-s,--signal", signal_, "Signal: a name (KILL, SIGUSR1) or a number")
            ->capture_default_str();
        app->add_option("CONTAINER", containers_, "Container names, ids or unique id prefixes")
            ->required();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        const int sig = parse_signal_option(signal_);
        StateStore store = open_store(global);
        return for_each_container(containers_, [&](const std::string& reference) {
            const std::string id = store.resolve(reference);
            // A frozen process would see the signal only once thawed: thaw it first.
            control::thaw_if_paused(store, id);
            control::kill(store.load(id), sig);
        });
    }

  private:
    std::string signal_ = "KILL";
    std::vector<std::string> containers_;
};

}  // namespace

std::unique_ptr<Command> make_kill(CLI::App& app) {
    return std::make_unique<KillCommand>(app);
}

}  // namespace vessel::cli
