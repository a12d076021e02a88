// vessel stats [--no-stream] [CONTAINER...]: CPU, memory and tasks of running containers, read
// from their cgroups, refreshed every second like `docker stats` (docs/cgroups.md).
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "vessel/cli/command.hpp"
#include "vessel/core/stats.hpp"
#include "vessel/running/stats.hpp"
#include "vessel/util/error.hpp"

namespace vessel::cli {
namespace {

class StatsCommand final : public Command {
  public:
    explicit StatsCommand(CLI::App& parent) {
        app = parent.add_subcommand("stats", "Show containers' CPU, memory and task use, live");
        app->add_flag("--no-stream", no_stream_, "Print one table and exit");
        app->add_option("CONTAINER", references_,
                        "Containers to show, by name or id (default: all running ones)");
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        const StateStore store(global.root);
        // Named containers are resolved once, up front: a wrong name is an error at once.
        std::vector<std::string> ids;
        // `stats a a` (or a name and its id) shows the container once, as docker does.
        for (const auto& reference : references_) {
            std::string id = store.resolve(reference);
            if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
        }
        const int64_t host_memory = stats::host_memory();
        const bool clear = ::isatty(STDOUT_FILENO) == 1 && !no_stream_;

        std::map<std::string, stats::Sample> before;
        for (auto& s : sample(store, ids)) before[s.id] = s;
        for (;;) {
            // CPU % needs two readings; docker waits a second for the first table too.
            timespec second{1, 0};
            ::nanosleep(&second, nullptr);
            std::vector<stats::Sample> now = sample(store, ids);
            std::vector<stats::Row> rows;
            for (const auto& s : now) {
                auto prev = before.find(s.id);
                rows.push_back(
                    stats::make_row(prev != before.end() ? prev->second : s, s, host_memory));
            }
            std::string table = stats::render(rows);
            if (clear) table = "\033[2J\033[H" + table;  // redraw in place, as docker does
            std::fputs(table.c_str(), stdout);
            std::fflush(stdout);
            if (no_stream_) return 0;
            before.clear();
            for (auto& s : now) before[s.id] = s;
        }
    }

  private:
    // A reading of each container asked for, in the order asked, or of every running one.
    std::vector<stats::Sample> sample(const StateStore& store,
                                      const std::vector<std::string>& ids) const {
        std::vector<stats::Sample> out;
        std::vector<std::string> all = ids.empty() ? store.list_ids() : ids;
        if (ids.empty()) std::sort(all.begin(), all.end());  // a stable order between refreshes
        for (const auto& id : all) {
            ContainerState state;
            try {
                state = store.load(id);
            } catch (const Error&) {
                if (ids.empty()) continue;  // removed meanwhile
                stats::Sample gone;
                gone.id = id;
                out.push_back(gone);
                continue;
            }
            if (ids.empty() && state.status != Status::kRunning) continue;
            out.push_back(read_stats(state));
        }
        return out;
    }

    bool no_stream_ = false;
    std::vector<std::string> references_;
};

}  // namespace

std::unique_ptr<Command> make_stats(CLI::App& app) {
    return std::make_unique<StatsCommand>(app);
}

}  // namespace vessel::cli
