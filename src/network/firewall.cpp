#include "vessel/network/firewall.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include "nft_helper_client.hpp"
#include "nft_rules.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::network {
namespace {

std::string shown_ip(const PortMapping& port) {
    return port.host_ip.empty() ? "0.0.0.0" : port.host_ip;
}

// Docker's words for a host port that is taken.
Error already_allocated(const PortMapping& port) {
    return Error(fmt::format("Bind for {}:{} failed: port is already allocated", shown_ip(port),
                             port.host_port));
}

// The ports the maps hold now. An absent table publishes nothing.
std::vector<nft::Published> published_now() {
    const nft::HelperResult listing = nft::list();
    if (!listing.ok) return {};
    return nft::parse_listing(listing.output);
}

bool taken(const PortMapping& wanted, const std::vector<nft::Published>& published,
           const std::vector<PortMapping>& chosen) {
    for (const auto& p : published)
        if (nft::collides(wanted, p.port)) return true;
    for (const auto& c : chosen)
        if (c.host_port != 0 && c.host_port_end == 0 && nft::collides(wanted, c)) return true;
    return false;
}

// Binds a socket of the mapping's protocol to host_ip:port (port 0: the kernel picks a free
// one) and returns the port it got, or 0 when the port is in use. Nothing listens on it: the
// socket only asks the kernel which ports are free, and is closed at once.
uint16_t try_bind(const PortMapping& mapping, uint16_t port) {
    const int type = mapping.protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM;
    UniqueFd fd(static_cast<int>(check(::socket(AF_INET, type | SOCK_CLOEXEC, 0), "socket")));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr =
        htonl(mapping.host_ip.empty() ? INADDR_ANY : Ipv4::parse(mapping.host_ip).value);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        if (errno == EADDRINUSE) return 0;
        throw SysError(fmt::format("cannot publish a port on {}", shown_ip(mapping)), errno);
    }
    socklen_t length = sizeof address;
    check(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length), "getsockname");
    return ntohs(address.sin_port);
}

void choose_in_range(PortMapping& port, const std::vector<nft::Published>& published,
                     const std::vector<PortMapping>& chosen) {
    for (unsigned candidate = port.host_port; candidate <= port.host_port_end; ++candidate) {
        PortMapping wanted = port;
        wanted.host_port = static_cast<uint16_t>(candidate);
        wanted.host_port_end = 0;
        if (!taken(wanted, published, chosen) && try_bind(wanted, wanted.host_port) != 0) {
            port = wanted;
            return;
        }
    }
    throw Error(fmt::format("Bind for {}:{}-{} failed: port is already allocated", shown_ip(port),
                            port.host_port, port.host_port_end));
}

void choose_any(PortMapping& port, const std::vector<nft::Published>& published,
                const std::vector<PortMapping>& chosen) {
    // The kernel's free port may still be one a container publishes (a DNAT has no socket):
    // ask again. 64 misses in a row would mean the ephemeral range is nearly all published.
    for (int attempt = 0; attempt < 64; ++attempt) {
        PortMapping wanted = port;
        wanted.host_port = try_bind(port, 0);
        if (wanted.host_port != 0 && !taken(wanted, published, chosen)) {
            port = wanted;
            return;
        }
    }
    throw Error(fmt::format("no free host port for {}/{} on {}", port.container_port, port.protocol,
                            shown_ip(port)));
}

}  // namespace

void choose_host_ports(std::vector<PortMapping>& ports) {
    bool needed = false;
    for (const auto& p : ports) needed |= p.host_port == 0 || p.host_port_end != 0;
    if (!needed) return;
    const std::vector<nft::Published> published = published_now();
    for (PortMapping& port : ports) {
        if (port.host_port_end != 0)
            choose_in_range(port, published, ports);
        else if (port.host_port == 0)
            choose_any(port, published, ports);
    }
}

void ensure_network_rules(const NetworkRecord& network) {
    const nft::HelperResult r =
        nft::apply(nft::skeleton() + nft::network_elements(network, false),
                   "vessel's table: outbound NAT and published ports for this network");
    if (!r.ok)
        throw Error(fmt::format("cannot set up the nftables rules of network {}: {}", network.name,
                                r.error));
}

void remove_network_rules(const NetworkRecord& network) {
    const nft::HelperResult r = nft::apply(nft::network_elements(network, true),
                                           "the network is gone: no NAT for its subnet");
    // "No such file or directory": the table itself is gone (a reboot, `nft flush ruleset`).
    if (!r.ok && r.error.find("No such file or directory") == std::string::npos)
        throw Error(fmt::format("cannot remove the nftables rules of network {}: {}", network.name,
                                r.error));
}

void publish_ports(const NetworkRecord& /*network: the maps serve every network*/,
                   Ipv4 container_ip, const std::vector<PortMapping>& ports) {
    if (ports.empty()) return;
    bool any_address = false;
    for (const auto& p : ports) {
        if (p.host_port == 0 || p.host_port_end != 0)
            throw Error(fmt::format("no host port chosen for {}/{} (choose_host_ports first)",
                                    p.container_port, p.protocol));
        any_address |= p.host_ip.empty();
    }
    // The kernel refuses a key that exists and an address inside a published 0.0.0.0/0, but
    // not 0.0.0.0/0 over a port published on one address: that case is checked here.
    if (any_address)
        for (const auto& p : published_now())
            for (const auto& wanted : ports)
                if (nft::collides(wanted, p.port)) throw already_allocated(wanted);
    const nft::HelperResult r = nft::apply(nft::publish_elements(container_ip, ports),
                                           "published ports: DNAT to the container");
    if (r.ok) return;
    if (r.error.find("File exists") != std::string::npos) {
        const auto index = nft::failed_mapping(container_ip, ports, r.error);
        if (index) throw already_allocated(ports[*index]);
    }
    throw Error("cannot publish ports: " + r.error);
}

void unpublish_ports(const NetworkRecord& /*network*/, Ipv4 container_ip,
                     const std::vector<PortMapping>& ports) {
    if (ports.empty()) return;
    if (nft::apply(nft::unpublish_elements(container_ip, ports), "the container's ports").ok)
        return;
    // One of them is gone or belongs to another container now: each alone, the rest removed.
    for (const PortMapping& port : ports)
        nft::apply(nft::unpublish_elements(container_ip, {port}), "the container's port");
}

}  // namespace vessel::network
