// vessel ps [-a] [-q] [--no-trunc] [--format table|json]
// Reads every state.json and asks /proc whether the processes named there still live; it starts
// no process and takes no lock, so it stays fast with many containers (docs/lifecycle.md).
#include <cstdio>

#include "vessel/cli/command.hpp"
#include "vessel/core/listing.hpp"
#include "vessel/running/control.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel::cli {
namespace {

class PsCommand final : public Command {
  public:
    explicit PsCommand(CLI::App& parent) {
        app = parent.add_subcommand("ps", "List containers");
        app->add_flag("-a,--all", all_, "Show all containers (default: only running ones)");
        app->add_flag("-q,--quiet", quiet_, "Only print container ids");
        app->add_flag("--no-trunc", no_trunc_, "Do not cut ids, images and commands short");
        app->add_option("--format", format_, "Output: table, or json (one object per line)")
            ->check(CLI::IsMember({"table", "json"}))
            ->capture_default_str();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        StateStore store = open_store(global);
        // What a vessel killed half-way through creating or removing a container left: never
        // a container, so never shown; removed here so that nothing stays out of sight.
        store.sweep();
        std::vector<ContainerState> states;
        for (const auto& id : store.list_ids()) {
            try {
                states.push_back(store.load(id));
            } catch (const Error& e) {
                // Removed between listing and reading (rm, --rm).
                if (!fs::exists(store.state_path(id))) continue;
                spdlog::warn("{}", e.what());
            }
        }
        listing::sort_newest_first(states);

        const int64_t now = clock::now_ns();
        std::vector<listing::Row> rows;
        std::string out;
        for (const auto& s : states) {
            LiveStatus status = control::observe(s);
            if (!all_ && status != LiveStatus::kRunning) continue;
            if (quiet_) {
                out += (no_trunc_ ? s.spec.id : s.spec.short_id()) + "\n";
            } else if (format_ == "json") {
                out += listing::to_json(s, status, now, no_trunc_).dump() + "\n";
            } else {
                rows.push_back(listing::make_row(s, status, now, no_trunc_));
            }
        }
        if (!quiet_ && format_ == "table") out = listing::render_table(rows);
        std::fwrite(out.data(), 1, out.size(), stdout);
        return 0;
    }

  private:
    bool all_ = false, quiet_ = false, no_trunc_ = false;
    std::string format_ = "table";
};

}  // namespace

std::unique_ptr<Command> make_ps(CLI::App& app) {
    return std::make_unique<PsCommand>(app);
}

}  // namespace vessel::cli
