// Inside the container's network namespace, before execve (docs/network.md): the child brings
// lo up, gives eth0 (made up by create_veth) its address and routes everything else to the
// bridge.
//
// This runs in a cloned child that has no other thread: one netlink socket, four requests, each
// answered before the next (no libnl cache, nothing that starts a thread). The socket belongs to
// the namespace it was opened in, here the container's.
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <fmt/format.h>

#include "netlink_socket.hpp"
#include "vessel/network/links.hpp"
#include "vessel/util/error.hpp"

namespace vessel::network {
namespace {

using netlink::traced;

constexpr int kLoopbackIndex = 1;  // lo is the first interface of every network namespace

void bring_up(netlink::Socket& sock, const char* name, int index, std::string_view why) {
    const int err = netlink::set_up(sock, index);
    traced(
        err, [&] { return fmt::format("ip link set {} up", name); }, why);
    if (err != 0) throw SysError(fmt::format("cannot bring up {}", name), err);
}

// `ip addr add ADDRESS/PREFIX dev eth0`; the kernel adds the route to the subnet with it.
void add_address(netlink::Socket& sock, int index, Ipv4 address, int prefix) {
    netlink::Addr addr(rtnl_addr_alloc());
    if (!addr) throw SysError("cannot allocate a libnl address", ENOMEM);
    netlink::NlAddr local = netlink::ipv4_address(address, prefix);
    rtnl_addr_set_ifindex(addr.get(), index);
    rtnl_addr_set_local(addr.get(), local.get());
    const int err = sock.request([&](nl_sock* s) { return rtnl_addr_add(s, addr.get(), 0); });
    traced(
        err, [&] { return fmt::format("ip addr add {} dev eth0", netlink::text(local.get())); },
        "the container's address on its network");
    if (err != 0) {
        throw SysError(fmt::format("cannot add address {} to eth0", netlink::text(local.get())),
                       err);
    }
}

// `ip route add default via GATEWAY dev eth0`. Built by hand: an rtmsg header and two
// attributes (libnl's route objects would bring in tables read from /etc/iproute2 at start-up).
void add_default_route(netlink::Socket& sock, int index, Ipv4 gateway) {
    netlink::Msg msg(nlmsg_alloc_simple(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL));
    if (!msg) throw SysError("cannot allocate a netlink message", ENOMEM);
    rtmsg route{};
    route.rtm_family = AF_INET;
    route.rtm_dst_len = 0;  // 0.0.0.0/0: the default route
    route.rtm_table = RT_TABLE_MAIN;
    route.rtm_protocol = RTPROT_BOOT;  // what `ip route add` says: set up by an administrator
    route.rtm_scope = RT_SCOPE_UNIVERSE;
    route.rtm_type = RTN_UNICAST;
    const uint32_t via = htonl(gateway.value);
    netlink::NlAddr gateway_address = netlink::ipv4_address(gateway);
    if (nlmsg_append(msg.get(), &route, sizeof route, NLMSG_ALIGNTO) < 0 ||
        nla_put(msg.get(), RTA_GATEWAY, sizeof via, &via) < 0 ||
        nla_put_u32(msg.get(), RTA_OIF, static_cast<uint32_t>(index)) < 0) {
        throw SysError("cannot build the default route's message", EMSGSIZE);
    }
    const int err = sock.send(std::move(msg));
    traced(
        err,
        [&] {
            return fmt::format("ip route add default via {} dev eth0",
                               netlink::text(gateway_address.get()));
        },
        "everything off the subnet goes to the bridge");
    if (err != 0) {
        throw SysError(fmt::format("cannot add the default route via {}",
                                   netlink::text(gateway_address.get())),
                       err);
    }
}

}  // namespace

void configure_container_side(Ipv4 address, int prefix, Ipv4 gateway) {
    netlink::Socket sock;
    const int eth0 = netlink::index_of("eth0");
    if (eth0 == 0) throw SysError("cannot find eth0 in the container's network namespace", ENODEV);
    bring_up(sock, "lo", kLoopbackIndex, "127.0.0.1 answers inside");
    // eth0 came up when vessel made it (create_veth): the kernel adds the subnet's route with
    // the address, which the default route needs to reach its gateway.
    add_address(sock, eth0, address, prefix);
    add_default_route(sock, eth0, gateway);
    // eth0's carrier came on when vessel plugged the other end in: see that the kernel has
    // applied it before the container's first packet (sync_link).
    netlink::sync_link(sock, "eth0", eth0);
}

}  // namespace vessel::network
