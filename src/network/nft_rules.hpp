// The TEXT of vessel's nftables commands (docs/network.md), built without touching the kernel so
// that unit tests read exactly what vessel-nft will apply. firewall.cpp runs them.
//
// The design: one table `ip vessel`. Networks are ELEMENTS of two sets (@subnets, @bridges) that
// a fixed set of rules refers to, and published ports are ELEMENTS of two maps (@tcp_ports,
// @udp_ports) keyed by (host address . host port): adding a network or a port never adds a rule,
// so nothing needs a rule handle, `add element` is idempotent, and `create element` refuses a key
// that exists, inside the kernel's transaction: the "port is already allocated" check cannot race
// with another vessel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vessel/core/ipv4.hpp"
#include "vessel/core/port_mapping.hpp"
#include "vessel/network/network_store.hpp"

namespace vessel::network::nft {

// The table, its sets, maps and chains, and the chains' rules (flushed and written again, so that
// running it twice, or from two vessels at once, leaves the same ruleset). Idempotent.
std::string skeleton();

// Adds (or, with `remove`, deletes) the network's subnet and bridge in @subnets and @bridges.
// Removal is quiet when they are gone: each element is added, then deleted, in one transaction.
std::string network_elements(const NetworkRecord& network, bool remove);

// One `create element` line per mapping: the transaction fails when any key exists (with a
// message naming that line).
std::string publish_elements(Ipv4 container_ip, const std::vector<PortMapping>& ports);

// Deletes each mapping's element only when it still points to `container_ip`: it is added first
// with the same value, which succeeds when it is absent or ours and fails when the port now
// belongs to another container.
std::string unpublish_elements(Ipv4 container_ip, const std::vector<PortMapping>& ports);

// The map element's key and value: "0.0.0.0/0 . 8080 : 10.88.0.2 . 80" (any host address is the
// interval 0.0.0.0/0).
std::string map_element(Ipv4 container_ip, const PortMapping& port);

// A published port as it is in the maps.
struct Published {
    PortMapping port;  // host_ip "" for any address
    Ipv4 container_ip;
    bool operator==(const Published&) const = default;
};
// The maps' elements in `vessel-nft --list`'s JSON (nft -j list table ip vessel).
std::vector<Published> parse_listing(const std::string& json);

// Whether `wanted` (a host address and port) collides with one published already: same protocol
// and port, and the same address or either one on every address.
bool collides(const PortMapping& wanted, const PortMapping& published);

// Which of `ports` the failed publish_elements transaction choked on: libnftables' message
// repeats the failing command. nullopt when the message names none of them.
std::optional<size_t> failed_mapping(Ipv4 container_ip, const std::vector<PortMapping>& ports,
                                     const std::string& message);

}  // namespace vessel::network::nft
