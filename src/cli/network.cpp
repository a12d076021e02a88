// vessel network create|ls|inspect|rm (docs/network.md)
#include <cstdio>

#include <nlohmann/json.hpp>

#include "vessel/cli/command.hpp"
#include "vessel/core/ids.hpp"
#include "vessel/network/firewall.hpp"
#include "vessel/network/links.hpp"
#include "vessel/network/network_store.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel::cli {
namespace {

// docker network inspect's shape, with the fields vessel has.
nlohmann::json describe(const network::NetworkRecord& n,
                        const std::vector<network::Lease>& leases) {
    nlohmann::json containers = nlohmann::json::object();
    for (const auto& l : leases)
        containers[l.container_id] = {
            {"Name", l.container_name},
            {"EndpointID", ""},
            {"MacAddress", mac_for(l.ip)},
            {"IPv4Address", l.ip.str() + "/" + std::to_string(n.subnet.prefix)},
            {"IPv6Address", ""}};
    return {{"Name", n.name},
            {"Id", n.id},
            {"Created", clock::to_rfc3339(n.created_ns)},
            {"Scope", "local"},
            {"Driver", n.driver},
            {"EnableIPv6", false},
            {"IPAM",
             {{"Driver", "default"},
              {"Options", nlohmann::json::object()},
              {"Config", {{{"Subnet", n.subnet.str()}, {"Gateway", n.gateway.str()}}}}}},
            {"Internal", false},
            {"Attachable", false},
            {"Containers", containers},
            {"Options", {{"com.docker.network.bridge.name", n.bridge}}},
            {"Labels", nlohmann::json::object()}};
}

class NetworkCommand final : public Command {
  public:
    explicit NetworkCommand(CLI::App& parent) {
        app = parent.add_subcommand("network", "Manage networks: create, ls, inspect, rm");
        app->require_subcommand(1);

        create_ = app->add_subcommand("create", "Create a bridge network");
        create_->add_option("-d,--driver", driver_, "Only \"bridge\"");
        create_->add_option("--subnet", subnet_, "The subnet, as CIDR (chosen when not given)");
        create_->add_option("--gateway", gateway_, "The bridge's address (the subnet's first)");
        create_->add_option("NAME", name_, "The network's name: [a-zA-Z0-9][a-zA-Z0-9_.-]*")
            ->required();

        ls_ = app->add_subcommand("ls", "List networks");
        ls_->alias("list");
        ls_->add_flag("-q,--quiet", quiet_, "Only print the ids");
        ls_->add_option("--format", format_, "\"json\": one JSON object per line");

        inspect_ = app->add_subcommand("inspect", "Print networks as JSON");
        inspect_->add_option("NAME", names_, "Network names or ids")->required();

        rm_ = app->add_subcommand("rm", "Remove networks no running container uses");
        rm_->alias("remove");
        rm_->add_option("NAME", names_, "Network names or ids")->required();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        const StateStore states = open_store(global);
        network::NetworkStore store(data_root(global), states.root());
        if (create_->parsed()) return create(store);
        if (ls_->parsed()) return list(store);
        if (inspect_->parsed()) return inspect(store);
        if (rm_->parsed()) return remove(store, states);
        return exit_code::kRuntimeError;
    }

  private:
    int create(network::NetworkStore& store) {
        if (driver_ != "bridge")
            throw Error("network driver \"" + driver_ + "\" is not supported: only \"bridge\"");
        std::optional<Subnet> subnet;
        std::optional<Ipv4> gateway;
        if (!subnet_.empty()) subnet = Subnet::parse(subnet_);
        if (!gateway_.empty()) gateway = Ipv4::parse(gateway_);
        // The bridge and its rules are made when the first container joins (ensure_bridge,
        // ensure_network_rules are idempotent), so a network nobody uses costs nothing.
        std::printf("%s\n", store.create(name_, subnet, gateway).id.c_str());
        return 0;
    }

    int list(const network::NetworkStore& store) {
        if (!format_.empty() && format_ != "json")
            throw Error("--format: only \"json\" is supported, not \"" + format_ + "\"");
        const auto networks = store.list();
        if (quiet_) {
            for (const auto& n : networks)
                std::printf("%s\n", n.id.substr(0, ids::kShortLength).c_str());
            return 0;
        }
        if (format_ == "json") {
            // docker's `--format json`: one object per line, every value a string.
            for (const auto& n : networks) {
                nlohmann::json j = {{"CreatedAt", clock::to_rfc3339(n.created_ns)},
                                    {"Driver", n.driver},
                                    {"ID", n.id.substr(0, ids::kShortLength)},
                                    {"IPv6", "false"},
                                    {"Internal", "false"},
                                    {"Labels", ""},
                                    {"Name", n.name},
                                    {"Scope", "local"}};
                std::printf("%s\n", j.dump().c_str());
            }
            return 0;
        }
        std::printf("%-15s%-20s%-10s%s\n", "NETWORK ID", "NAME", "DRIVER", "SCOPE");
        for (const auto& n : networks)
            std::printf("%-15s%-20s%-10s%s\n", n.id.substr(0, ids::kShortLength).c_str(),
                        n.name.c_str(), n.driver.c_str(), "local");
        return 0;
    }

    int inspect(const network::NetworkStore& store) {
        nlohmann::json out = nlohmann::json::array();
        int status = 0;
        for (const auto& name : names_) {
            try {
                const auto n = store.get(name);
                out.push_back(describe(n, store.leases(n)));
            } catch (const Error& e) {
                spdlog::error("{}", e.what());
                status = exit_code::kRuntimeError;
            }
        }
        std::printf("%s\n", out.dump(4).c_str());
        return status;
    }

    int remove(network::NetworkStore& store, const StateStore& states) {
        // A lease whose container has no state directory any more is a leftover of a crash:
        // it does not keep the network.
        const auto is_alive = [&](const std::string& id) {
            return ids::looks_like_id_prefix(id) && fs::exists(states.dir_of(id));
        };
        int status = 0;
        for (const auto& name : names_) {
            try {
                const auto n = store.get(name);
                store.remove(n.id, is_alive);
                network::delete_bridge(n);
                network::remove_network_rules(n);
                std::printf("%s\n", name.c_str());
                std::fflush(stdout);
            } catch (const Error& e) {
                spdlog::error("{}", e.what());
                status = exit_code::kRuntimeError;
            }
        }
        return status;
    }

    CLI::App *create_, *ls_, *inspect_, *rm_;
    std::vector<std::string> names_;
    std::string name_, subnet_, gateway_, format_, driver_ = "bridge";
    bool quiet_ = false;
};

}  // namespace

std::unique_ptr<Command> make_network(CLI::App& app) {
    return std::make_unique<NetworkCommand>(app);
}

}  // namespace vessel::cli
