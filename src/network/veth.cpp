// The container's cable (docs/network.md): a veth pair, two interfaces joined back to back. One
// end stays in vessel's network namespace, plugged into the network's bridge; the kernel creates
// the other one directly inside the container's namespace, as its eth0, so it never appears on
// the host under a temporary name.
#include <net/if.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>

#include <fmt/format.h>

#include "netlink_socket.hpp"
#include "vessel/network/links.hpp"
#include "vessel/util/error.hpp"

namespace vessel::network {
namespace {

using netlink::traced;

// `ip link add eth0 netns PID address MAC up type veth peer name HOST`: one RTM_NEWLINK makes
// both ends. The end the request names is the container's, made inside its namespace and up; the
// peer stays in ours, down: the kernel cannot bring up the peer of a pair that is still being
// made (ENOTCONN), so the host end comes up afterwards (plug_into_bridge), which is also when the
// cable's carrier comes on at both ends.
int add_veth_pair(netlink::Socket& sock, const std::string& host_name, pid_t container_pid,
                  const std::string& mac) {
    netlink::Link eth0(rtnl_link_veth_alloc());
    if (!eth0) throw SysError("cannot allocate a libnl veth link", ENOMEM);
    rtnl_link_set_name(eth0.get(), "eth0");
    nl_addr* parsed = nullptr;
    if (nl_addr_parse(mac.c_str(), AF_LLC, &parsed) < 0) {
        throw Error(fmt::format("invalid MAC address {} for {}", mac, host_name));
    }
    netlink::NlAddr eth0_mac(parsed);
    rtnl_link_set_addr(eth0.get(), eth0_mac.get());
    rtnl_link_set_ns_pid(eth0.get(), container_pid);
    rtnl_link_set_flags(eth0.get(), IFF_UP);

    netlink::Link host(rtnl_link_veth_get_peer(eth0.get()));  // a reference of our own
    rtnl_link_set_name(host.get(), host_name.c_str());

    const int err = sock.request(
        [&](nl_sock* s) { return rtnl_link_add(s, eth0.get(), NLM_F_CREATE | NLM_F_EXCL); });
    return traced(
        err,
        [&] {
            return fmt::format("ip link add eth0 netns {} address {} up type veth peer name {}",
                               container_pid, mac, host_name);
        },
        "the container's cable: eth0 in its namespace, the other end in ours");
}

// `ip link set HOST master BRIDGE up`: one RTM_NEWLINK plugs the host end into the bridge and
// turns it on.
int plug_into_bridge(netlink::Socket& sock, const NetworkRecord& network,
                     const std::string& host_name, int host_index, int bridge_index) {
    netlink::Link port(rtnl_link_alloc());
    netlink::Link change(rtnl_link_alloc());
    if (!port || !change) throw SysError("cannot allocate a libnl link", ENOMEM);
    rtnl_link_set_ifindex(port.get(), host_index);
    rtnl_link_set_master(change.get(), bridge_index);
    rtnl_link_set_flags(change.get(), IFF_UP);
    const int err =
        sock.request([&](nl_sock* s) { return rtnl_link_change(s, port.get(), change.get(), 0); });
    return traced(
        err, [&] { return fmt::format("ip link set {} master {} up", host_name, network.bridge); },
        "a port of the network's switch");
}

// `bridge link set dev HOST hairpin on`: the bridge may send a frame back out of the port it
// came in by, so that a container reaches its own published port (DNAT turns the packet around
// towards the container that sent it). An RTM_SETLINK of family AF_BRIDGE carrying the port's
// IFLA_PROTINFO; the kernel finds the port by index only.
int set_hairpin(netlink::Socket& sock, const std::string& host_name, int host_index) {
    netlink::Link port(rtnl_link_alloc());
    netlink::Link change(rtnl_link_alloc());
    if (!port || !change) throw SysError("cannot allocate a libnl link", ENOMEM);
    rtnl_link_set_ifindex(port.get(), host_index);
    rtnl_link_set_family(port.get(), AF_BRIDGE);
    rtnl_link_set_family(change.get(), AF_BRIDGE);
    rtnl_link_bridge_set_flags(change.get(), RTNL_BRIDGE_HAIRPIN_MODE);
    const int err =
        sock.request([&](nl_sock* s) { return rtnl_link_change(s, port.get(), change.get(), 0); });
    return traced(
        err, [&] { return fmt::format("bridge link set dev {} hairpin on", host_name); },
        "a container can reach its own published ports");
}

}  // namespace

std::string host_veth_name(const std::string& container_id) {
    // 4 + 11 = 15 characters: the most a name may have (IFNAMSIZ counts the NUL).
    return "veth" + container_id.substr(0, 11);
}

void create_veth(const NetworkRecord& network, const std::string& host_name, pid_t container_pid,
                 const std::string& mac) {
    const std::string what = fmt::format(
        "cannot create veth pair {} for the container (process {})", host_name, container_pid);
    const int bridge_index = netlink::index_of(network.bridge);
    if (bridge_index == 0) {
        throw SysError(
            fmt::format("{}: bridge {} of network {}", what, network.bridge, network.name), ENODEV);
    }
    netlink::Socket sock;
    if (const int err = add_veth_pair(sock, host_name, container_pid, mac); err != 0) {
        throw SysError(what, err);
    }
    // On failure from here on, leave no half-made pair behind: deleting the host end deletes
    // eth0 too.
    const auto undo_and_throw = [&](const std::string& failed, int err) {
        netlink::remove_link(sock, host_name);
        throw SysError(failed, err);
    };
    const int host_index = netlink::index_of(host_name);
    if (host_index == 0) undo_and_throw(what + ": its host end is gone", ENODEV);
    if (const int err = plug_into_bridge(sock, network, host_name, host_index, bridge_index);
        err != 0) {
        undo_and_throw(fmt::format("cannot plug {} into bridge {}", host_name, network.bridge),
                       err);
    }
    if (const int err = set_hairpin(sock, host_name, host_index); err != 0) {
        undo_and_throw(fmt::format("cannot turn on hairpin mode on {}", host_name), err);
    }
    // The carrier just came on at both ends, and with the first port the bridge's own: the
    // kernel lets packets through a link only once its "linkwatch" worker has seen that, a
    // moment later (until then they are dropped, and a container's first connection waits 1 s
    // for ARP to try again). Asking for a link (RTM_GETLINK) runs that pending work at once.
    netlink::sync_link(sock, host_name, host_index);
    netlink::sync_link(sock, network.bridge, bridge_index);
}

void delete_link(const std::string& name) {
    netlink::Socket sock;
    const int err = netlink::remove_link(sock, name);
    traced(
        err, [&] { return fmt::format("ip link del {}", name); },
        err == ENODEV ? "already gone" : "a veth: deleting one end deletes the pair");
    if (err != 0 && err != ENODEV) throw SysError(fmt::format("cannot delete {}", name), err);
}

}  // namespace vessel::network
