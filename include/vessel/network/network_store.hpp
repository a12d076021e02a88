// vessel's networks and their address leases (docs/network.md).
//
// A network is a record under <data-root>/networks/<name>.json (it outlives reboots, like a
// volume); its leases are runtime state under <state-root>/networks/<name>/ (tmpfs /run: after a
// reboot no container runs and no lease is left). One lease is one file named after its address,
// made with O_CREAT|O_EXCL (or link(2)) under the network's flock, so that 50 containers started
// at once get 50 distinct addresses, and a crash leaves at most a lease whose container is gone
// (`release` by teardown, or reclaimed when its container's state no longer exists).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vessel/core/ipv4.hpp"

namespace vessel::network {

inline constexpr const char* kDefaultNetwork = "vessel";  // the default bridge network
inline constexpr const char* kDefaultBridge = "vessel0";

struct NetworkRecord {
    std::string name;
    std::string id;  // 64 hex characters
    std::string driver = "bridge";
    std::string bridge;  // the Linux bridge: vessel0, or "vbr-" + 8 hex of the id
    Subnet subnet;
    Ipv4 gateway;  // the bridge's address, subnet.first_host() unless --gateway
    // The default network does not resolve container names (as docker's default bridge); a
    // user-defined network does, through each container's /etc/hosts.
    bool user_defined = true;
    int64_t created_ns = 0;
};

struct Lease {
    Ipv4 ip;
    std::string container_id;
    std::string container_name;
    std::string hostname;
    std::vector<std::string> aliases;  // --network-alias
};

class NetworkStore {
  public:
    NetworkStore(std::string data_root, std::string state_root);

    // `network create`: docker's rules for names ([a-zA-Z0-9][a-zA-Z0-9_.-]*), "network with name
    // X already exists", a given subnet overlapping another vessel network refused ("Pool
    // overlaps with other one on this address space"); without --subnet one is chosen
    // (choose_subnet). Throws Error (125); leaves nothing when it throws.
    NetworkRecord create(const std::string& name, std::optional<Subnet> subnet,
                         std::optional<Ipv4> gateway);
    // The default network, recorded on first use with a chosen subnet.
    NetworkRecord default_network();
    // By name, by full id or by a unique id prefix.
    std::optional<NetworkRecord> find(const std::string& name_or_id) const;
    // find(), or Error (125) "network X not found".
    NetworkRecord get(const std::string& name_or_id) const;
    std::vector<NetworkRecord> list() const;  // sorted by name
    // `network rm`: refuses the default network and a network with leases ("network X has
    // active endpoints"), unless every lease's container is gone (is_alive says so).
    void remove(const std::string& name_or_id,
                const std::function<bool(const std::string& container_id)>& is_alive);

    // The lowest free address of the subnet (not the network address, the gateway or the
    // broadcast), or `wanted` (--ip) when it is free. Throws Error (125) when the subnet is full
    // ("no available IPv4 addresses on network X") or `wanted` is taken or outside the subnet.
    // `is_alive`, when given, tells which leases still have a container: the others are taken
    // back first (a vessel killed between taking a lease and recording it in the container's
    // state leaves one that no teardown knows of).
    Lease allocate(const NetworkRecord& network, Lease wanted_lease,
                   std::optional<Ipv4> wanted = std::nullopt,
                   const std::function<bool(const std::string& container_id)>& is_alive = {});
    // Quiet when the container holds no lease.
    void release(const NetworkRecord& network, const std::string& container_id);
    std::vector<Lease> leases(const NetworkRecord& network) const;

    const std::string& data_root() const { return data_root_; }
    const std::string& state_root() const { return state_root_; }

  private:
    std::string data_root_, state_root_;
};

// A /16 from docker's pools (172.17.0.0/16 ... 172.31.0.0/16, then 192.168.0.0/20 ... ) that
// overlaps none of `taken`: the host's routes and addresses, its nameservers and the other vessel
// networks (moby/moby#21776: docker's clash with VPN and LAN ranges). Throws Error when every
// candidate is taken.
Subnet choose_subnet(const std::vector<Subnet>& taken);
// The subnets this network namespace routes (/proc/net/route) and the nameservers of
// /etc/resolv.conf, as /32s: what choose_subnet must avoid.
std::vector<Subnet> host_subnets_in_use();

void to_json(nlohmann::json& j, const NetworkRecord& n);
void from_json(const nlohmann::json& j, NetworkRecord& n);
void to_json(nlohmann::json& j, const Lease& l);
void from_json(const nlohmann::json& j, Lease& l);

}  // namespace vessel::network
