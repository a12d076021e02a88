// vessel logs [-f] [--tail N] [-t] CONTAINER
#include <charconv>

#include "vessel/cli/command.hpp"
#include "vessel/running/log_reader.hpp"
#include "vessel/util/error.hpp"

namespace vessel::cli {
namespace {

class LogsCommand final : public Command {
  public:
    explicit LogsCommand(CLI::App& parent) {
        app = parent.add_subcommand("logs", "Print the output of a detached container");
        app->add_flag("-f,--follow", options_.follow, "Keep printing until the container exits");
        app->add_option("-n,--tail", tail_, "Only the last N lines, or all")->capture_default_str();
        app->add_flag("-t,--timestamps", options_.timestamps, "Prefix each line with its time");
        app->add_option("CONTAINER", container_, "Container name, id or unique id prefix")
            ->required();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        if (tail_ != "all") {
            size_t n = 0;
            auto [end, ec] = std::from_chars(tail_.data(), tail_.data() + tail_.size(), n);
            if (ec != std::errc() || end != tail_.data() + tail_.size())
                throw Error("invalid --tail \"" + tail_ + "\": use a number of lines, or all");
            options_.tail = n;
        }
        StateStore store = open_store(global);
        show_logs(store.load(store.resolve(container_)), options_);
        return 0;
    }

  private:
    LogOptions options_;
    std::string tail_ = "all";
    std::string container_;
};

}  // namespace

std::unique_ptr<Command> make_logs(CLI::App& app) {
    return std::make_unique<LogsCommand>(app);
}

}  // namespace vessel::cli
