// The container's link to its network (docs/network.md), made in-process with libnl-route-3:
// a bridge per network, a veth pair per container (one end enslaved to the bridge, the other
// created directly inside the container's network namespace as eth0), addresses and routes.
// Every step is traced with --explain (Chapter::kNetwork) as the `ip` command that does the same.
#pragma once

#include <sys/types.h>

#include <string>

#include "vessel/core/ipv4.hpp"
#include "vessel/network/network_store.hpp"

namespace vessel::network {

// Parent side, in vessel's own network namespace. Idempotent: the bridge exists and is up with
// the gateway address afterwards; net.ipv4.ip_forward=1 in this namespace (as docker does) and
// route_localnet=1 on this bridge only (ports published on 127.0.0.1). Throws SysError/Error.
// Returns true when the bridge was missing (this call, or a racing one, made it).
bool ensure_bridge(const NetworkRecord& network);
// Deletes the bridge (network rm). Quiet when it is gone.
void delete_bridge(const NetworkRecord& network);

// "veth" + the first 11 characters of the id: unique and within IFNAMSIZ.
std::string host_veth_name(const std::string& container_id);

// Parent side: a veth pair whose host end `host_name` is enslaved to the network's bridge, with
// hairpin mode on and up, and whose other end is made inside the network namespace of process
// `container_pid` as "eth0" with MAC `mac`, up (both ends have carrier when this returns: the
// container's first packet is not dropped). Throws SysError.
void create_veth(const NetworkRecord& network, const std::string& host_name, pid_t container_pid,
                 const std::string& mac);
// Quiet when the link is gone (a deleted namespace takes its veth pair with it).
void delete_link(const std::string& name);

// Child side, inside the container's network namespace, after create_veth: lo up, eth0 (already
// up) with `address`/`prefix`, a default route via `gateway`. Throws SysError.
void configure_container_side(Ipv4 address, int prefix, Ipv4 gateway);

}  // namespace vessel::network
