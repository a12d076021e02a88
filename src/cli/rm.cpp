// vessel rm [-f] CONTAINER...
#include "vessel/cli/command.hpp"
#include "vessel/running/control.hpp"

namespace vessel::cli {
namespace {

class RmCommand final : public Command {
  public:
    explicit RmCommand(CLI::App& parent) {
        app = parent.add_subcommand("rm", "Remove containers and everything they own");
        app->add_flag("-f,--force", force_, "Kill a running container first (SIGKILL)");
        app->add_option("CONTAINER", containers_, "Container names, ids or unique id prefixes")
            ->required();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        StateStore store = open_store(global);
        return for_each_container(containers_, [&](const std::string& reference) {
            control::remove(store, store.resolve(reference), force_);
        });
    }

  private:
    bool force_ = false;
    std::vector<std::string> containers_;
};

}  // namespace

std::unique_ptr<Command> make_rm(CLI::App& app) {
    return std::make_unique<RmCommand>(app);
}

}  // namespace vessel::cli
