// vessel attach CONTAINER
#include "vessel/running/attach.hpp"
#include "vessel/cli/command.hpp"

namespace vessel::cli {
namespace {

class AttachCommand final : public Command {
  public:
    explicit AttachCommand(CLI::App& parent) {
        app = parent.add_subcommand(
            "attach", "Connect to a detached container's PID 1 (detach with Ctrl-P Ctrl-Q)");
        app->add_option("CONTAINER", container_, "Container name, id or unique id prefix")
            ->required();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        StateStore store = open_store(global);
        return attach(store, store.load(store.resolve(container_)));
    }

  private:
    std::string container_;
};

}  // namespace

std::unique_ptr<Command> make_attach(CLI::App& app) {
    return std::make_unique<AttachCommand>(app);
}

}  // namespace vessel::cli
