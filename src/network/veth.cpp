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

// `ip link add HOST master BRIDGE up type veth peer name eth0 address MAC netns PID`: one
// RTM_NEWLINK does all of it (the kernel enslaves and brings up a new link when the request says
// so), which is why the bridge's index is looked up first.
int add_veth_pair(netlink::Socket& sock, const NetworkRecord& network, const std::string& host_name,
                  int bridge_index, pid_t container_pid, const std::string& mac) {
    netlink::Link veth(rtnl_link_veth_alloc());
    if (!veth) throw SysError("cannot allocate a libnl veth link", ENOMEM);
    rtnl_link_set_name(veth.get(), host_name.c_str());
    rtnl_link_set_master(veth.get(), bridge_index);
    rtnl_link_set_flags(veth.get(), IFF_UP);

    netlink::Link peer(rtnl_link_veth_get_peer(veth.get()));  // a reference of our own
    rtnl_link_set_name(peer.get(), "eth0");
    nl_addr* parsed = nullptr;
    if (nl_addr_parse(mac.c_str(), AF_LLC, &parsed) < 0) {
        throw Error(fmt::format("invalid MAC address {} for {}", mac, host_name));
    }
    netlink::NlAddr peer_mac(parsed);
    rtnl_link_set_addr(peer.get(), peer_mac.get());
    rtnl_link_set_ns_pid(peer.get(), container_pid);

    const int err = sock.request(
        [&](nl_sock* s) { return rtnl_link_add(s, veth.get(), NLM_F_CREATE | NLM_F_EXCL); });
    return traced(
        err,
        [&] {
            return fmt::format(
                "ip link add {} master {} up type veth peer name eth0 address {} "
                "netns {}",
                host_name, network.bridge, mac, container_pid);
        },
        "the container's cable: this end on the bridge, eth0 in its namespace");
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

// RTM_DELLINK by name: 0, or the errno (ENODEV when there is no such link).
int remove_link(netlink::Socket& sock, const std::string& name) {
    netlink::Link link(rtnl_link_alloc());
    if (!link) throw SysError("cannot allocate a libnl link", ENOMEM);
    rtnl_link_set_name(link.get(), name.c_str());
    return sock.request([&](nl_sock* s) { return rtnl_link_delete(s, link.get()); });
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
    if (const int err = add_veth_pair(sock, network, host_name, bridge_index, container_pid, mac);
        err != 0) {
        throw SysError(what, err);
    }
    const int host_index = netlink::index_of(host_name);
    const int err = host_index == 0 ? ENODEV : set_hairpin(sock, host_name, host_index);
    if (err != 0) {
        // Leave no half-made pair behind: deleting this end deletes eth0 too.
        remove_link(sock, host_name);
        throw SysError(fmt::format("cannot turn on hairpin mode on {}", host_name), err);
    }
}

void delete_link(const std::string& name) {
    netlink::Socket sock;
    const int err = remove_link(sock, name);
    traced(
        err, [&] { return fmt::format("ip link del {}", name); },
        err == ENODEV ? "already gone" : "deleting one end deletes the pair");
    if (err != 0 && err != ENODEV) throw SysError(fmt::format("cannot delete {}", name), err);
}

}  // namespace vessel::network
