// vessel inspect [-f TEMPLATE] CONTAINER...
#include <cstdio>

#include "vessel/cli/command.hpp"
#include "vessel/core/inspect.hpp"
#include "vessel/running/control.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/log.hpp"

namespace vessel::cli {
namespace {

class InspectCommand final : public Command {
  public:
    explicit InspectCommand(CLI::App& parent) {
        app = parent.add_subcommand("inspect", "Show everything known about containers, as JSON");
        app->add_option("-f,--format", format_, "A template like '{{.State.Pid}}' per container");
        app->add_option("CONTAINER", containers_, "Container names, ids or unique id prefixes")
            ->required();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        StateStore store = open_store(global);
        // Like docker: what can be shown is shown; each unknown container is one error line.
        int status = 0;
        nlohmann::json docs = nlohmann::json::array();
        std::string out;
        for (const auto& reference : containers_) {
            try {
                ContainerState state = store.load(store.resolve(reference));
                auto doc = inspect::document(state, control::observe_for_inspect(store, state));
                if (format_.empty())
                    docs.push_back(std::move(doc));
                else
                    out += inspect::render(format_, doc) + "\n";
            } catch (const Error& e) {
                spdlog::error("{}", e.what());
                status = exit_code::kRuntimeError;
            }
        }
        // Nothing found: the error lines alone (docker would add an empty "[]").
        if (format_.empty() && !docs.empty()) out = docs.dump(4) + "\n";
        std::fwrite(out.data(), 1, out.size(), stdout);
        return status;
    }

  private:
    std::string format_;
    std::vector<std::string> containers_;
};

}  // namespace

std::unique_ptr<Command> make_inspect(CLI::App& app) {
    return std::make_unique<InspectCommand>(app);
}

}  // namespace vessel::cli
