// vessel rm [-f] [-v] CONTAINER...
#include <optional>

#include "vessel/cli/command.hpp"
#include "vessel/running/control.hpp"
#include "vessel/volumes/volume_store.hpp"

namespace vessel::cli {
namespace {

class RmCommand final : public Command {
  public:
    explicit RmCommand(CLI::App& parent) {
        app = parent.add_subcommand("rm", "Remove containers and everything they own");
        app->add_flag("-f,--force", force_, "Kill a running container first (SIGKILL)");
        app->add_flag("-v,--volumes", volumes_,
                      "Remove its anonymous volumes too (unless another container uses them)");
        app->add_option("CONTAINER", containers_, "Container names, ids or unique id prefixes")
            ->required();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        StateStore store = open_store(global);
        return for_each_container(containers_, [&](const std::string& reference) {
            const std::string id = store.resolve(reference);
            // Read before the state goes: which anonymous volumes it had (docs/mounts.md).
            std::optional<ContainerSpec> spec;
            if (volumes_) spec = store.load(id).spec;
            control::remove(store, id, force_);
            if (spec) volumes::remove_anonymous(store, *spec);
        });
    }

  private:
    bool force_ = false;
    bool volumes_ = false;
    std::vector<std::string> containers_;
};

}  // namespace

std::unique_ptr<Command> make_rm(CLI::App& app) {
    return std::make_unique<RmCommand>(app);
}

}  // namespace vessel::cli
