// The network's bridge (docs/network.md): a virtual switch in vessel's network namespace that
// every container of the network plugs a veth into, with the gateway address on it.
//
// Two `vessel run` may meet here at once, on a network that has no bridge yet: every step is
// "make it so" and takes "it already is" (EEXIST) as success, so whichever run comes second just
// finds the work done.
#include <fcntl.h>
#include <net/if.h>
#include <netlink/route/link/bridge.h>
#include <unistd.h>

#include <fmt/format.h>

#include "netlink_socket.hpp"
#include "vessel/network/links.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::network {
namespace {

using netlink::traced;

// The bridge as the kernel has it: one RTM_GETLINK. Null when there is none.
netlink::Link find_link(netlink::Socket& sock, const std::string& name) {
    rtnl_link* found = nullptr;
    const int err =
        sock.request([&](nl_sock* s) { return rtnl_link_get_kernel(s, 0, name.c_str(), &found); });
    netlink::Link link(found);
    if (err == ENODEV || err == ENOENT) return nullptr;
    if (err != 0) throw SysError(fmt::format("cannot look up network interface {}", name), err);
    return link;
}

// `ip link add NAME up type bridge`: created already up, in one message, so that a bridge that
// exists is a bridge that is up, whoever made it.
void create_bridge(netlink::Socket& sock, const NetworkRecord& network) {
    netlink::Link bridge(rtnl_link_bridge_alloc());
    if (!bridge) throw SysError("cannot allocate a libnl link", ENOMEM);
    rtnl_link_set_name(bridge.get(), network.bridge.c_str());
    rtnl_link_set_flags(bridge.get(), IFF_UP);
    int err = sock.request(
        [&](nl_sock* s) { return rtnl_link_add(s, bridge.get(), NLM_F_CREATE | NLM_F_EXCL); });
    traced(
        err, [&] { return fmt::format("ip link add {} up type bridge", network.bridge); },
        err == EEXIST ? "another vessel made it just now: kept" : "the network's virtual switch");
    if (err != 0 && err != EEXIST) {
        throw SysError(
            fmt::format("cannot create bridge {} for network {}", network.bridge, network.name),
            err);
    }
}

// `ip link set NAME up`, for a bridge someone brought down.
void set_up(netlink::Socket& sock, const std::string& name, int index) {
    const int err = netlink::set_up(sock, index);
    traced(
        err, [&] { return fmt::format("ip link set {} up", name); }, "it was down");
    if (err != 0) throw SysError(fmt::format("cannot bring up bridge {}", name), err);
}

// `ip addr add GATEWAY/PREFIX brd + dev NAME`: the bridge is the containers' gateway, and the
// kernel adds the subnet's route with it.
void add_gateway_address(netlink::Socket& sock, const NetworkRecord& network, int index) {
    netlink::Addr addr(rtnl_addr_alloc());
    if (!addr) throw SysError("cannot allocate a libnl address", ENOMEM);
    netlink::NlAddr local = netlink::ipv4_address(network.gateway, network.subnet.prefix);
    // The subnet's last address (Subnet::broadcast(), spelled out so this file needs only the
    // record's values).
    const int prefix = network.subnet.prefix;
    const uint32_t host_bits = prefix >= 32 ? 0 : 0xffffffffu >> prefix;
    netlink::NlAddr broadcast = netlink::ipv4_address(Ipv4{network.subnet.base.value | host_bits});
    rtnl_addr_set_ifindex(addr.get(), index);
    rtnl_addr_set_local(addr.get(), local.get());
    rtnl_addr_set_broadcast(addr.get(), broadcast.get());
    const int err = sock.request([&](nl_sock* s) { return rtnl_addr_add(s, addr.get(), 0); });
    traced(
        err,
        [&] {
            return fmt::format("ip addr add {} brd + dev {}", netlink::text(local.get()),
                               network.bridge);
        },
        err == EEXIST ? "already there: kept" : "the containers' gateway");
    if (err != 0 && err != EEXIST) {
        throw SysError(fmt::format("cannot add address {} to bridge {}", netlink::text(local.get()),
                                   network.bridge),
                       err);
    }
}

// Writes "1" to a /proc/sys file unless it holds 1 already (`sysctl -w NAME=1`). /proc/sys/net
// shows the caller's network namespace: this changes vessel's namespace, nobody else's.
void ensure_sysctl_on(const std::string& path, std::string_view why) {
    const std::string name = [&] {
        std::string n = path.substr(std::string_view("/proc/sys/").size());
        for (char& c : n) c = c == '/' ? '.' : c;
        return n;
    }();
    char value = 0;
    if (UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)); fd) {
        if (::read(fd.get(), &value, 1) == 1 && value == '1') {
            if (explain::enabled()) {
                explain::step(explain::Chapter::kNetwork, fmt::format("sysctl {}", name), "1",
                              "already on");
            }
            return;
        }
    }
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    const long rc = fd ? ::write(fd.get(), "1", 1) : -1;
    const int err = errno;
    explain::traced(
        rc == 1 ? 0 : -1, err, explain::Chapter::kNetwork,
        [&] { return fmt::format("sysctl -w {}=1", name); }, why);
    if (rc != 1) throw SysError(fmt::format("cannot set {}=1", name), err);
}

}  // namespace

bool ensure_bridge(const NetworkRecord& network) {
    netlink::Socket sock;
    netlink::Link bridge = find_link(sock, network.bridge);
    if (!bridge) {
        create_bridge(sock, network);
    } else {
        const char* kind = rtnl_link_get_type(bridge.get());
        if (kind == nullptr || std::string_view(kind) != "bridge") {
            throw Error(fmt::format(
                "cannot use {} as the bridge of network {}: the interface exists and is a {}, "
                "not a bridge",
                network.bridge, network.name, kind != nullptr ? kind : "device of no kind"));
        }
        if (explain::enabled()) {
            explain::step(
                explain::Chapter::kNetwork, fmt::format("ip link show {}", network.bridge),
                (rtnl_link_get_flags(bridge.get()) & IFF_UP) != 0 ? "bridge, up" : "bridge, down",
                "made by an earlier run");
        }
        if ((rtnl_link_get_flags(bridge.get()) & IFF_UP) == 0) {
            set_up(sock, network.bridge, rtnl_link_get_ifindex(bridge.get()));
        }
    }
    const int index =
        bridge ? rtnl_link_get_ifindex(bridge.get()) : netlink::index_of(network.bridge);
    if (index == 0) {
        throw SysError(fmt::format("cannot find bridge {} after creating it", network.bridge),
                       ENODEV);
    }
    add_gateway_address(sock, network, index);
    ensure_sysctl_on("/proc/sys/net/ipv4/ip_forward", "containers' packets go out by the host");
    ensure_sysctl_on(fmt::format("/proc/sys/net/ipv4/conf/{}/route_localnet", network.bridge),
                     "ports published on 127.0.0.1 reach the containers");
    return !bridge;
}

void delete_bridge(const NetworkRecord& network) {
    netlink::Socket sock;
    const int err = netlink::remove_link(sock, network.bridge);
    traced(
        err, [&] { return fmt::format("ip link del {}", network.bridge); },
        err == ENODEV ? "already gone" : "the network's switch, with its address and route");
    if (err != 0 && err != ENODEV) {
        throw SysError(
            fmt::format("cannot delete bridge {} of network {}", network.bridge, network.name),
            err);
    }
}

}  // namespace vessel::network
