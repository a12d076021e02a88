// Which subnet a network gets when none is given (docs/network.md): the first of docker's
// address pools that clashes with nothing the host already reaches. A clash would make the
// host's own LAN, VPN or DNS server unreachable from the containers, or worse, from the host
// (moby/moby#21776).
#include <arpa/inet.h>

#include <bit>
#include <cstdlib>
#include <sstream>

#include "vessel/network/network_store.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::network {
namespace {

// docker's default-address-pools: 172.17.0.0/16 ... 172.31.0.0/16, then 192.168.0.0/16 cut
// into /20s.
std::vector<Subnet> candidates() {
    std::vector<Subnet> out;
    for (uint32_t second = 17; second <= 31; ++second)
        out.push_back(Subnet{Ipv4{(172u << 24) | (second << 16)}, 16});
    for (uint32_t third = 0; third < 256; third += 16)
        out.push_back(Subnet{Ipv4{(192u << 24) | (168u << 16) | (third << 8)}, 20});
    return out;
}

// One hex field of /proc/net/route: the address as the kernel holds it (network byte order),
// printed with %08X, so "0000A8C0" on a little-endian machine is 192.168.0.0.
uint32_t route_field(const std::string& hex) {
    return ntohl(static_cast<uint32_t>(std::strtoul(hex.c_str(), nullptr, 16)));
}

}  // namespace

Subnet choose_subnet(const std::vector<Subnet>& taken) {
    for (const Subnet& candidate : candidates()) {
        bool clash = false;
        for (const Subnet& t : taken) clash = clash || candidate.overlaps(t);
        if (!clash) return candidate;
    }
    throw Error(
        "could not find an available, non-overlapping IPv4 address pool among the defaults to "
        "assign to the network (give one with --subnet)");
}

std::vector<Subnet> host_subnets_in_use() {
    std::vector<Subnet> out;
    std::istringstream routes(fs::try_read_file("/proc/net/route").value_or(""));
    std::string line;
    std::getline(routes, line);  // the header
    while (std::getline(routes, line)) {
        std::istringstream f(line);
        std::string iface, dest, gateway, flags, refcnt, use, metric, mask;
        if (!(f >> iface >> dest >> gateway >> flags >> refcnt >> use >> metric >> mask)) continue;
        const uint32_t m = route_field(mask);
        // The default route (0.0.0.0/0) "overlaps" everything and says nothing about what is
        // in use; its gateway does, and is covered by the route of its link.
        if (m == 0) continue;
        const int prefix = std::popcount(m);
        out.push_back(Subnet{Ipv4{route_field(dest) & m}, prefix});
    }
    std::istringstream resolv(fs::try_read_file("/etc/resolv.conf").value_or(""));
    while (std::getline(resolv, line)) {
        std::istringstream f(line);
        std::string key, server;
        if (!(f >> key >> server) || key != "nameserver") continue;
        try {
            out.push_back(Subnet{Ipv4::parse(server), 32});
        } catch (const Error&) {
            // IPv6: no IPv4 pool can clash with it
        }
    }
    return out;
}

}  // namespace vessel::network
