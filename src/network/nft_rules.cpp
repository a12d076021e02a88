#include "nft_rules.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace vessel::network::nft {
namespace {

// The chains and their rules. Each base chain hooks into the kernel at one point of a packet's
// path; `ports` is a plain chain the two DNAT hooks jump to.
constexpr const char* kChains =
    R"(add chain ip vessel guard { type filter hook prerouting priority raw; }
add chain ip vessel ports
add chain ip vessel prerouting { type nat hook prerouting priority dstnat; }
add chain ip vessel output { type nat hook output priority -100; }
add chain ip vessel postrouting { type nat hook postrouting priority srcnat; }
add chain ip vessel forward { type filter hook forward priority filter; }
flush chain ip vessel guard
flush chain ip vessel ports
flush chain ip vessel prerouting
flush chain ip vessel output
flush chain ip vessel postrouting
flush chain ip vessel forward
)";

// Why each rule is there (docs/network.md):
//  guard: route_localnet on the bridges makes 127.0.0.0/8 routable from them; only lo may send
//    to it, so neither a neighbour nor a container reaches the host's loopback services
//    (moby/moby#41872, CVE-2020-8558).
//  ports: the DNAT itself, looked up by (destination address . port); 0.0.0.0/0 matches any.
//  prerouting: packets from elsewhere (other machines, containers) to one of this host's
//    addresses, but never to 127.0.0.0/8 from outside (the same guard, for the nat path).
//  output: packets the host sends itself, 127.0.0.1 included (nft 1.0.6 refuses
//    `priority dstnat` on output, hence -100).
//  postrouting: containers going out to the world leave with the host's address; DNATed
//    connections from 127.0.0.1 must not reach a container with a loopback source (it could not
//    answer); a container reaching a published port of its own network (hairpin) gets the
//    gateway as source, so the answer comes back through the host and its NAT.
//  forward: vessel's traffic passes this table's forward hook.
constexpr const char* kRules =
    R"(add rule ip vessel guard iifname != "lo" ip daddr 127.0.0.0/8 drop
add rule ip vessel ports dnat ip to ip daddr . tcp dport map @tcp_ports
add rule ip vessel ports dnat ip to ip daddr . udp dport map @udp_ports
add rule ip vessel prerouting ip daddr != 127.0.0.0/8 fib daddr type local jump ports
add rule ip vessel output fib daddr type local jump ports
add rule ip vessel postrouting ip saddr @subnets oifname != @bridges masquerade
add rule ip vessel postrouting oifname @bridges ip saddr 127.0.0.0/8 masquerade
add rule ip vessel postrouting oifname @bridges ct status dnat ip saddr @subnets masquerade
add rule ip vessel forward iifname @bridges accept
add rule ip vessel forward oifname @bridges accept
)";

const char* map_name(const PortMapping& port) {
    return port.protocol == "udp" ? "udp_ports" : "tcp_ports";
}

std::string map_key(const PortMapping& port) {
    return fmt::format("{} . {}", port.host_ip.empty() ? "0.0.0.0/0" : port.host_ip,
                       port.host_port);
}

}  // namespace

std::string skeleton() {
    std::string text = "add table ip vessel\n";
    text += "add set ip vessel subnets { type ipv4_addr; flags interval; }\n";
    text += "add set ip vessel bridges { type ifname; }\n";
    for (const char* map : {"tcp_ports", "udp_ports"})
        text += fmt::format(
            "add map ip vessel {} {{ type ipv4_addr . inet_service : ipv4_addr . inet_service; "
            "flags interval; }}\n",
            map);
    return text + kChains + kRules;
}

std::string network_elements(const NetworkRecord& network, bool remove) {
    std::string text = fmt::format(
        "add element ip vessel subnets {{ {} }}\nadd element ip vessel bridges {{ \"{}\" }}\n",
        network.subnet.str(), network.bridge);
    if (remove)
        text += fmt::format(
            "delete element ip vessel subnets {{ {} }}\n"
            "delete element ip vessel bridges {{ \"{}\" }}\n",
            network.subnet.str(), network.bridge);
    return text;
}

std::string map_element(Ipv4 container_ip, const PortMapping& port) {
    return fmt::format("{} : {} . {}", map_key(port), container_ip.str(), port.container_port);
}

std::string publish_elements(Ipv4 container_ip, const std::vector<PortMapping>& ports) {
    std::string text;
    for (const PortMapping& port : ports)
        text += fmt::format("create element ip vessel {} {{ {} }}\n", map_name(port),
                            map_element(container_ip, port));
    return text;
}

std::string unpublish_elements(Ipv4 container_ip, const std::vector<PortMapping>& ports) {
    std::string text;
    for (const PortMapping& port : ports)
        text += fmt::format(
            "add element ip vessel {0} {{ {1} }}\ndelete element ip vessel {0} {{ {2} }}\n",
            map_name(port), map_element(container_ip, port), map_key(port));
    return text;
}

namespace {

// One side of an element in nft's JSON: "10.88.0.2", {"prefix": {"addr": "0.0.0.0", "len": 0}}
// (any address), or a port number.
std::string address_of(const nlohmann::json& j) {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_object() && j.contains("prefix")) {
        const auto& prefix = j["prefix"];
        if (prefix.value("len", 32) == 0) return "";
        return prefix.value("addr", "");
    }
    return "";
}

}  // namespace

std::vector<Published> parse_listing(const std::string& json) {
    std::vector<Published> published;
    const nlohmann::json listing = nlohmann::json::parse(json, nullptr, false);
    if (!listing.is_object() || !listing.contains("nftables")) return published;
    for (const auto& object : listing["nftables"]) {
        if (!object.contains("map")) continue;
        const auto& map = object["map"];
        const std::string name = map.value("name", "");
        if (name != "tcp_ports" && name != "udp_ports") continue;
        if (!map.contains("elem")) continue;
        for (const auto& elem : map["elem"]) {
            // [ {"concat": [ADDR, PORT]}, {"concat": [CONTAINER_IP, CONTAINER_PORT]} ]
            if (!elem.is_array() || elem.size() != 2) continue;
            const auto& key = elem[0]["concat"];
            const auto& value = elem[1]["concat"];
            Published p;
            p.port.protocol = name == "udp_ports" ? "udp" : "tcp";
            p.port.host_ip = address_of(key[0]);
            p.port.host_port = key[1].get<uint16_t>();
            p.container_ip = Ipv4::parse(value[0].get<std::string>());
            p.port.container_port = value[1].get<uint16_t>();
            published.push_back(p);
        }
    }
    return published;
}

bool collides(const PortMapping& wanted, const PortMapping& published) {
    return wanted.protocol == published.protocol && wanted.host_port == published.host_port &&
           (wanted.host_ip == published.host_ip || wanted.host_ip.empty() ||
            published.host_ip.empty());
}

std::optional<size_t> failed_mapping(Ipv4 container_ip, const std::vector<PortMapping>& ports,
                                     const std::string& message) {
    for (size_t i = 0; i < ports.size(); ++i) {
        const std::string line =
            fmt::format("create element ip vessel {} {{ {} }}", map_name(ports[i]),
                        map_element(container_ip, ports[i]));
        if (message.find(line) != std::string::npos) return i;
    }
    return std::nullopt;
}

}  // namespace vessel::network::nft
