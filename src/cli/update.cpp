// vessel update [RESOURCE FLAGS] CONTAINER...: change the limits of containers, running or not.
#include <unistd.h>

#include <cstdio>

#include "vessel/cli/command.hpp"
#include "vessel/cli/resource_flags.hpp"
#include "vessel/running/update.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::cli {
namespace {

class UpdateCommand final : public Command {
  public:
    explicit UpdateCommand(CLI::App& parent) {
        app = parent.add_subcommand("update", "Change the resource limits of containers");
        add_resource_flags(*app, flags_);
        app->add_flag("--explain", explain_, "Trace every cgroup write on stderr");
        app->add_option("CONTAINER", references_, "Containers to update, by name or id")
            ->required();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        if (!flags_.any())
            throw Error(
                "vessel update: give at least one limit to change, e.g. --memory 256m "
                "(see 'vessel update --help')");
        if (explain_) explain::enable(STDERR_FILENO);
        const StateStore store(global.root);
        // Every name is checked before any container changes.
        std::vector<std::string> ids;
        for (const auto& reference : references_) ids.push_back(store.resolve(reference));
        for (size_t i = 0; i < ids.size(); ++i) {
            update_resources(store, ids[i], flags_);
            std::printf("%s\n", references_[i].c_str());
        }
        return 0;
    }

  private:
    resources::Flags flags_;
    bool explain_ = false;
    std::vector<std::string> references_;
};

}  // namespace

std::unique_ptr<Command> make_update(CLI::App& app) {
    return std::make_unique<UpdateCommand>(app);
}

}  // namespace vessel::cli
