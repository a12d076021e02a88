// vessel volume create|ls|inspect|rm|prune (docs/mounts.md, "Volumes")
#include <cstdio>

#include <nlohmann/json.hpp>

#include "vessel/cli/command.hpp"
#include "vessel/core/ids.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/log.hpp"
#include "vessel/volumes/volume_store.hpp"

namespace vessel::cli {
namespace {

nlohmann::json describe(const volumes::Volume& v) {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& [k, val] : v.labels) labels[k] = val;
    if (v.anonymous) labels["com.docker.volume.anonymous"] = "";
    return {{"CreatedAt", clock::to_rfc3339(v.created_ns)},
            {"Driver", "local"},
            {"Labels", labels},
            {"Mountpoint", v.mountpoint},
            {"Name", v.name},
            {"Options", nlohmann::json::object()},
            {"Scope", "local"}};
}

class VolumeCommand final : public Command {
  public:
    explicit VolumeCommand(CLI::App& parent) {
        app = parent.add_subcommand("volume", "Manage volumes: create, ls, inspect, rm, prune");
        app->require_subcommand(1);

        create_ = app->add_subcommand("create", "Create a volume (a random name if none given)");
        create_->add_option("--label", labels_, "Set a label: KEY=VALUE")->allow_extra_args(false);
        create_->add_option("NAME", name_, "The volume's name: [a-zA-Z0-9][a-zA-Z0-9_.-]+");

        ls_ = app->add_subcommand("ls", "List volumes");
        ls_->alias("list");
        ls_->add_flag("-q,--quiet", quiet_, "Only print the names");

        inspect_ = app->add_subcommand("inspect", "Print volumes as JSON");
        inspect_->add_option("NAME", names_, "Volume names")->required();

        rm_ = app->add_subcommand("rm", "Remove volumes no container uses");
        rm_->alias("remove");
        rm_->add_flag("-f,--force", force_,
                      "Remove them even if containers use them; no error for missing ones");
        rm_->add_option("NAME", names_, "Volume names")->required();

        prune_ = app->add_subcommand("prune", "Remove unused anonymous volumes");
        prune_->add_flag("-a,--all", all_, "All unused volumes, named ones too");
        prune_->add_flag("-f,--force", prune_force_, "Do not prompt (vessel never prompts)");
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        const volumes::VolumeStore store(data_root(global));
        const StateStore states = open_store(global);
        if (create_->parsed()) return create(store);
        if (ls_->parsed()) return list(store);
        if (inspect_->parsed()) return inspect(store);
        if (rm_->parsed()) return remove(store, states);
        if (prune_->parsed()) return prune(store, states);
        return exit_code::kRuntimeError;
    }

  private:
    int create(const volumes::VolumeStore& store) {
        std::map<std::string, std::string> labels;
        for (const auto& l : labels_) {
            auto eq = l.find('=');
            labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
        }
        const std::string name = name_.empty() ? ids::new_container_id() : name_;
        std::printf("%s\n", store.create(name, labels).name.c_str());
        return 0;
    }

    int list(const volumes::VolumeStore& store) {
        if (!quiet_) std::printf("%-10s%s\n", "DRIVER", "VOLUME NAME");
        for (const auto& v : store.list()) {
            if (quiet_)
                std::printf("%s\n", v.name.c_str());
            else
                std::printf("%-10s%s\n", "local", v.name.c_str());
        }
        return 0;
    }

    int inspect(const volumes::VolumeStore& store) {
        nlohmann::json out = nlohmann::json::array();
        int status = 0;
        for (const auto& n : names_) {
            try {
                out.push_back(describe(store.get(n)));
            } catch (const Error& e) {
                spdlog::error("{}", e.what());
                status = exit_code::kRuntimeError;
            }
        }
        std::printf("%s\n", out.dump(4).c_str());
        return status;
    }

    int remove(const volumes::VolumeStore& store, const StateStore& states) {
        int status = 0;
        for (const auto& n : names_) {
            try {
                if (force_ && !store.find(n)) continue;
                auto users = volumes::containers_using(states, n);
                if (!users.empty() && !force_) {
                    std::string list;
                    for (const auto& id : users) list += (list.empty() ? "" : " ") + id;
                    throw Error("remove " + n + ": volume is in use - [" + list +
                                "] (remove the containers first, or use -f)");
                }
                store.remove(n);
                std::printf("%s\n", n.c_str());
            } catch (const Error& e) {
                spdlog::error("{}", e.what());
                status = exit_code::kRuntimeError;
            }
        }
        return status;
    }

    int prune(const volumes::VolumeStore& store, const StateStore& states) {
        std::printf("Deleted Volumes:\n");
        for (const auto& v : store.list()) {
            if (!v.anonymous && !all_) continue;
            if (!volumes::containers_using(states, v.name).empty()) continue;
            store.remove(v.name);
            std::printf("%s\n", v.name.c_str());
        }
        return 0;
    }

    CLI::App *create_, *ls_, *inspect_, *rm_, *prune_;
    std::vector<std::string> labels_, names_;
    std::string name_;
    bool quiet_ = false, force_ = false, all_ = false, prune_force_ = false;
};

}  // namespace

std::unique_ptr<Command> make_volume(CLI::App& app) {
    return std::make_unique<VolumeCommand>(app);
}

}  // namespace vessel::cli
