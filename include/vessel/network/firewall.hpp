// vessel's nftables rules (docs/network.md), one table `ip vessel` in the network namespace vessel
// runs in: outbound NAT (masquerade) for each network's subnet, and published ports (DNAT) that
// answer on the host's addresses, on 127.0.0.1 (route_localnet on the bridge, masquerade of
// 127.0.0.0/8 sources), from other containers and from the container itself (hairpin), with a
// guard that keeps a port published on 127.0.0.1 unreachable from other machines
// (moby/moby#41872). Rules go through the helper `vessel-nft` (libnftables, linked dynamically:
// it has no static archive and vessel is a static binary), which reads nft commands on stdin.
#pragma once

#include <string>
#include <vector>

#include "vessel/core/ipv4.hpp"
#include "vessel/core/port_mapping.hpp"
#include "vessel/network/network_store.hpp"

namespace vessel::network {

// Host ports still 0 get a free one: a port nothing on the host listens on (bind to port 0) and
// that no other container publishes. Throws Error.
void choose_host_ports(std::vector<PortMapping>& ports);

// The table, its chains and this network's masquerade rule. Idempotent. Throws Error with
// vessel-nft's message.
void ensure_network_rules(const NetworkRecord& network);
// network rm: this network's rules. Quiet when they are gone.
void remove_network_rules(const NetworkRecord& network);

// DNAT of each mapping to `container_ip`. A host port (and address) that another container
// already publishes is refused: "Bind for 0.0.0.0:8080 failed: port is already allocated", as
// docker says. Throws Error; adds nothing when it throws.
void publish_ports(const NetworkRecord& network, Ipv4 container_ip,
                   const std::vector<PortMapping>& ports);
// Removes what publish_ports added. Quiet about what is gone.
void unpublish_ports(const NetworkRecord& network, Ipv4 container_ip,
                     const std::vector<PortMapping>& ports);

}  // namespace vessel::network
