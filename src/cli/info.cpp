// vessel info: the machine and vessel's set-up, as `docker info` shows it (docs/commands.md).
#include <cstdio>

#include "vessel/cli/command.hpp"
#include "vessel/core/resources.hpp"
#include "vessel/launch/host_info.hpp"
#include "vessel/running/control.hpp"
#include "vessel/volumes/volume_store.hpp"

namespace vessel::cli {
namespace {

class InfoCommand final : public Command {
  public:
    explicit InfoCommand(CLI::App& parent) {
        app = parent.add_subcommand("info", "Show vessel's set-up and the machine's");
    }

    int execute(const GlobalOptions& global) override {
        const StateStore store = open_store(global);
        int running = 0, total = 0;
        for (const auto& id : store.list_ids()) {
            try {
                ++total;
                if (control::observe(store.load(id)) == LiveStatus::kRunning) ++running;
            } catch (const std::exception&) {
            }
        }
        const std::string data = data_root(global);
        const auto facts = host_info::read();
        std::printf("vessel %s (no daemon: every command is its own runtime)\n", VESSEL_VERSION);
        std::printf(" Containers: %d (running %d, not running %d)\n", total, running,
                    total - running);
        std::printf(" Volumes: %zu\n", volumes::VolumeStore(data).list().size());
        std::printf(" State root: %s\n", store.root().c_str());
        std::printf(" Data root: %s\n", data.c_str());
        std::printf(" Cgroups: %s\n", facts.cgroup_layout.c_str());
        std::printf(" Seccomp: %s\n", facts.seccomp ? "yes (docker's default profile built in)"
                                                    : "no: the kernel lacks it");
        std::printf(" Kernel: %s\n", facts.kernel.c_str());
        std::printf(" Operating system: %s\n", facts.os.c_str());
        std::printf(" CPUs: %d\n", facts.cpus);
        std::printf(" Memory: %s\n",
                    resources::format_bytes(static_cast<double>(facts.memory_bytes)).c_str());
        return 0;
    }
};

}  // namespace

std::unique_ptr<Command> make_info(CLI::App& app) {
    return std::make_unique<InfoCommand>(app);
}

}  // namespace vessel::cli
