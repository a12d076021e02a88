#include "vessel/launch/network_attach.hpp"

#include <fmt/format.h>

#include "vessel/network/etc_files.hpp"
#include "vessel/network/firewall.hpp"
#include "vessel/network/links.hpp"
#include "vessel/network/network_store.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::network_attach {
namespace {

using explain::Chapter;

network::NetworkStore network_store(const StateStore& store, const ContainerSpec& spec) {
    return network::NetworkStore(spec.data_root, store.root());
}

std::function<std::string(const std::string&)> state_dirs(const StateStore& store) {
    return [&store](const std::string& id) { return store.dir_of(id); };
}

// The other containers of a user-defined network, as /etc/hosts lines: by name, hostname and
// alias, as docker's embedded DNS answers them. The default network resolves no names.
std::vector<HostsPeer> peers_of(const network::NetworkStore& networks,
                                const network::NetworkRecord& record, const std::string& self) {
    if (!record.user_defined) return {};
    return network::hosts_peers(networks.leases(record), self);
}

// --add-host NAME:host-gateway: the address at which the container reaches the host.
std::vector<ExtraHost> resolve_host_gateway(std::vector<ExtraHost> hosts,
                                            const ContainerState& state) {
    for (auto& h : hosts) {
        if (h.ip != "host-gateway") continue;
        if (state.network)
            h.ip = state.network->gateway;
        else if (state.spec.network == NetworkMode::kHost)
            h.ip = "127.0.0.1";
        else
            throw Error("--add-host " + h.name +
                        ":host-gateway: with --network none the container cannot reach the host");
    }
    return hosts;
}

}  // namespace

void prepare(const StateStore& store, ContainerState& state) {
    ContainerSpec& spec = state.spec;
    const std::string dir = store.dir_of(spec.id);
    std::optional<network::Lease> lease;
    std::vector<HostsPeer> peers;
    if (spec.network == NetworkMode::kBridge) {
        auto networks = network_store(store, spec);
        const network::NetworkRecord record = spec.network_name == network::kDefaultNetwork
                                                  ? networks.default_network()
                                                  : networks.get(spec.network_name);
        // Recorded before it exists, so that a failure from here on releases it (teardown 6).
        NetworkAttachment& a = state.network.emplace();
        a.network = record.name;
        a.network_id = record.id;
        a.bridge = record.bridge;
        a.host_veth = network::host_veth_name(spec.id);
        a.prefix = record.subnet.prefix;
        a.gateway = record.gateway.str();
        a.user_defined = record.user_defined;
        std::optional<Ipv4> wanted;
        if (!spec.ip.empty()) wanted = Ipv4::parse(spec.ip);
        network::Lease wanted_lease;
        wanted_lease.container_id = spec.id;
        wanted_lease.container_name = spec.name;
        wanted_lease.hostname = spec.hostname;
        wanted_lease.aliases = spec.network_aliases;
        lease = networks.allocate(record, wanted_lease, wanted, [&store](const std::string& id) {
            return fs::exists(store.dir_of(id));  // made before any lease (launcher.cpp)
        });
        state.network->ip = lease->ip.str();
        state.network->mac = mac_for(lease->ip);
        explain::step(Chapter::kNetwork,
                      fmt::format("lease {} on network {}", state.network->ip, record.name), "0",
                      "the lowest free address of the subnet, a file made with O_EXCL");
        network::choose_host_ports(spec.ports);
        peers = peers_of(networks, record, spec.id);
    }
    network::write_etc_files(dir, spec.hostname, spec.name, spec.dns,
                             resolve_host_gateway(spec.extra_hosts, state),
                             lease ? &*lease : nullptr, spec.network != NetworkMode::kHost, peers);
}

std::vector<MountSpec> with_etc_files(const StateStore& store, const ContainerSpec& spec) {
    // The /etc files first, then the user's mounts (in their order): a user mount over /etc
    // (even through an image's symlink) covers them, and vessel never creates a file inside a
    // directory the user bound from the host.
    std::vector<MountSpec> mounts;
    for (const char* file :
         {network::kHostsFile, network::kResolvConfFile, network::kHostnameFile}) {
        const std::string target = std::string("/etc/") + file;
        bool taken = false;
        for (const auto& m : spec.mounts) taken = taken || m.target == target;
        if (taken) continue;
        MountSpec bind;
        bind.type = MountType::kBind;
        bind.source = bind.host_path = store.dir_of(spec.id) + "/" + file;
        bind.target = target;
        mounts.push_back(std::move(bind));
    }
    mounts.insert(mounts.end(), spec.mounts.begin(), spec.mounts.end());
    return mounts;
}

void connect(const StateStore& store, const ContainerState& state, pid_t child) {
    if (!state.network) return;
    const NetworkAttachment& a = *state.network;
    auto networks = network_store(store, state.spec);
    const network::NetworkRecord record = networks.get(a.network);
    // The table is made with the bridge and removed with it (network rm): a bridge that exists
    // has its rules, and one helper run (~10 ms) is saved on every start.
    if (network::ensure_bridge(record)) network::ensure_network_rules(record);
    network::create_veth(record, a.host_veth, child, a.mac);
    if (!state.spec.ports.empty()) {
        try {
            network::publish_ports(record, Ipv4::parse(a.ip), state.spec.ports);
        } catch (const Error& e) {
            // No table: the vessel that made the bridge has not made it yet (or someone flushed
            // the ruleset). Make it, and publish again.
            if (std::string_view(e.what()).find("No such file or directory") ==
                std::string_view::npos)
                throw;
            network::ensure_network_rules(record);
            network::publish_ports(record, Ipv4::parse(a.ip), state.spec.ports);
        }
    }
    if (record.user_defined) network::refresh_peer_hosts(networks, record, state_dirs(store));
}

void release(const StateStore& store, ContainerState& state) {
    const ContainerSpec& spec = state.spec;
    // A vessel killed after taking the lease and before recording it leaves state.json without
    // "network"; the spec (recorded with the state directory, before any lease) still names the
    // network, and a lease and a veth pair are found by the container's id.
    const bool recorded = state.network.has_value();
    if (!recorded && (spec.network != NetworkMode::kBridge || spec.data_root.empty())) return;
    auto networks = network_store(store, spec);
    const auto record = networks.find(recorded ? state.network->network : spec.network_name);
    if (recorded && record && !spec.ports.empty())
        network::unpublish_ports(*record, Ipv4::parse(state.network->ip), spec.ports);
    // The host's end of the veth pair is not deleted here: the container's network namespace
    // ends with its last process, and the kernel then deletes the pair, both ends, some 50-100 ms
    // later, in its own worker. Deleting it here would wait for the same RCU grace period that
    // the kernel's worker waits for: about 20 ms of every `run --rm` (docs/network.md).
    if (record) {
        networks.release(*record, spec.id);
        if (record->user_defined) network::refresh_peer_hosts(networks, *record, state_dirs(store));
    }
    state.network.reset();
}

}  // namespace vessel::network_attach
