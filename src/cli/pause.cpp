// vessel pause CONTAINER... / vessel unpause CONTAINER... (docs/lifecycle.md, "Pause")
#include "vessel/running/pause.hpp"
#include "vessel/cli/command.hpp"

namespace vessel::cli {
namespace {

class PauseCommand final : public Command {
  public:
    PauseCommand(CLI::App& parent, bool pause) : pause_(pause) {
        app = pause ? parent.add_subcommand("pause", "Freeze every process of containers")
                    : parent.add_subcommand("unpause", "Thaw the processes of paused containers");
        app->add_option("CONTAINER", containers_, "Container names, ids or unique id prefixes")
            ->required();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        StateStore store = open_store(global);
        return for_each_container(containers_, [&](const std::string& reference) {
            control::set_paused(store, store.resolve(reference), pause_);
        });
    }

  private:
    bool pause_;
    std::vector<std::string> containers_;
};

}  // namespace

std::unique_ptr<Command> make_pause(CLI::App& app) {
    return std::make_unique<PauseCommand>(app, true);
}

std::unique_ptr<Command> make_unpause(CLI::App& app) {
    return std::make_unique<PauseCommand>(app, false);
}

}  // namespace vessel::cli
