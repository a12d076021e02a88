// vessel stop [-t SECONDS] [-s SIGNAL] CONTAINER...
#include <cstdio>
#include <map>

#include "vessel/cli/command.hpp"
#include "vessel/running/control.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/log.hpp"

namespace vessel::cli {
namespace {

class StopCommand final : public Command {
  public:
    explicit StopCommand(CLI::App& parent) {
        app = parent.add_subcommand("stop", "Stop running containers: SIGTERM, then SIGKILL");
        app->add_option("-t,--time", seconds_, "Seconds to wait before SIGKILL")
            ->check(CLI::NonNegativeNumber)
            ->capture_default_str();
        app->add_option("-s,--signal", signal_, "Signal to send first (name or number)")
            ->capture_default_str();
        app->add_option("CONTAINER", containers_, "Container names, ids or unique id prefixes")
            ->required();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        const int sig = parse_signal_option(signal_);
        StateStore store = open_store(global);

        // Resolve every name first; stop the known ones together, in parallel as docker does.
        int status = 0;
        std::vector<std::string> ids, shown;
        for (const auto& reference : containers_) {
            try {
                ids.push_back(store.resolve(reference));
                shown.push_back(reference);
            } catch (const Error& e) {
                spdlog::error("{}", e.what());
                status = exit_code::kRuntimeError;
            }
        }
        // Without -s, each container's own StopSignal (from its image's config, as docker does),
        // else SIGTERM: the containers are stopped together per signal.
        std::vector<std::string> errors(ids.size());
        std::map<int, std::vector<size_t>> by_signal;
        for (size_t i = 0; i < ids.size(); ++i) {
            int own = sig;
            if (app->count("--signal") == 0) {
                try {
                    const std::string image_signal = store.load(ids[i]).spec.stop_signal;
                    if (!image_signal.empty()) own = parse_signal_option(image_signal);
                } catch (const Error&) {
                    // unreadable state: control::stop reports it below
                }
            }
            by_signal[own].push_back(i);
        }
        for (const auto& [group_signal, indexes] : by_signal) {
            std::vector<std::string> group;
            for (size_t i : indexes) group.push_back(ids[i]);
            auto group_errors =
                control::stop(store, group, group_signal, std::chrono::seconds(seconds_));
            for (size_t k = 0; k < indexes.size(); ++k) errors[indexes[k]] = group_errors[k];
        }
        for (size_t i = 0; i < ids.size(); ++i) {
            if (errors[i].empty()) {
                std::printf("%s\n", shown[i].c_str());
            } else {
                spdlog::error("{}", errors[i]);
                status = exit_code::kRuntimeError;
            }
        }
        return status;
    }

  private:
    int seconds_ = 10;
    std::string signal_ = "TERM";
    std::vector<std::string> containers_;
};

}  // namespace

std::unique_ptr<Command> make_stop(CLI::App& app) {
    return std::make_unique<StopCommand>(app);
}

}  // namespace vessel::cli
