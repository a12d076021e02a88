// -p and -P as docker reads them (github.com/docker/go-connections, nat.ParsePortSpec): the same
// forms, the same splitting on ':' and '/', the same error texts, so that a command line written
// for docker means the same thing here.
#include "vessel/core/port_mapping.hpp"

#include <charconv>

#include <fmt/format.h>

#include "vessel/core/ipv4.hpp"
#include "vessel/util/error.hpp"

namespace vessel {
namespace {

struct PortRange {
    uint16_t first = 0, last = 0;
};

// One port (a decimal 0..65535, as Go's ParseUint(s, 10, 16)) or FIRST-LAST.
bool parse_port(std::string_view text, uint16_t& port) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

bool parse_range(std::string_view text, PortRange& range) {
    const size_t dash = text.find('-');
    if (dash == std::string_view::npos) {
        if (!parse_port(text, range.first)) return false;
        range.last = range.first;
        return true;
    }
    return parse_port(text.substr(0, dash), range.first) &&
           parse_port(text.substr(dash + 1), range.last) && range.last >= range.first;
}

// Docker splits on every ':' and takes the last two parts as the ports, so an IPv6 address
// ("[::1]:8080:80") keeps its colons in the first part.
struct Parts {
    std::string_view ip, host_port, container_port;
};

Parts split_parts(std::string_view value) {
    const size_t last = value.rfind(':');
    if (last == std::string_view::npos) return {{}, {}, value};
    const std::string_view before = value.substr(0, last);
    const size_t middle = before.rfind(':');
    if (middle == std::string_view::npos) return {{}, before, value.substr(last + 1)};
    return {before.substr(0, middle), before.substr(middle + 1), value.substr(last + 1)};
}

// "80/udp" -> udp; "80" and "80/" -> tcp.
std::string split_protocol(std::string_view& port) {
    const size_t slash = port.find('/');
    if (slash == std::string_view::npos) return "tcp";
    std::string protocol(port.substr(slash + 1));
    port = port.substr(0, slash);
    return protocol.empty() ? "tcp" : protocol;
}

std::string lower(std::string text) {
    for (char& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

void check_protocol(const std::string& protocol) {
    const std::string p = lower(protocol);
    if (p == "tcp" || p == "udp") return;
    if (p == "sctp") throw Error("invalid proto: sctp (vessel publishes tcp and udp ports only)");
    throw Error("invalid proto: " + protocol);
}

// The host address: IPv4 only, because vessel's rules live in an `ip` (IPv4) nftables table.
std::string check_host_ip(std::string_view ip) {
    if (ip.empty()) return {};
    if (ip.find(':') != std::string_view::npos)
        throw Error(
            fmt::format("invalid IP address {}: vessel publishes ports on IPv4 addresses "
                        "only for now",
                        ip));
    try {
        return Ipv4::parse(ip).str();
    } catch (const Error&) {
        throw Error(fmt::format("invalid IP address: {}", ip));
    }
}

}  // namespace

std::vector<PortMapping> parse_publish(std::string_view value) {
    Parts parts = split_parts(value);
    const std::string protocol = split_protocol(parts.container_port);
    const std::string host_ip = check_host_ip(parts.ip);
    if (parts.container_port.empty())
        throw Error(fmt::format("no port specified: {}<empty>", value));
    PortRange container;
    if (!parse_range(parts.container_port, container))
        throw Error(fmt::format("invalid containerPort: {}", parts.container_port));
    PortRange host;
    if (!parts.host_port.empty() && !parse_range(parts.host_port, host))
        throw Error(fmt::format("invalid hostPort: {}", parts.host_port));
    const bool one_container_port = container.first == container.last;
    if (!parts.host_port.empty() && !one_container_port &&
        host.last - host.first != container.last - container.first)
        throw Error(fmt::format("invalid ranges specified for container and host Ports: {} and {}",
                                parts.container_port, parts.host_port));
    check_protocol(protocol);

    std::vector<PortMapping> mappings;
    for (unsigned port = container.first; port <= container.last; ++port) {
        PortMapping m;
        m.host_ip = host_ip;
        m.container_port = static_cast<uint16_t>(port);
        m.protocol = lower(protocol);
        if (!parts.host_port.empty()) {
            m.host_port = static_cast<uint16_t>(host.first + (port - container.first));
            // One container port, a host range: a port of the range, chosen when it starts.
            if (one_container_port && host.last != host.first) m.host_port_end = host.last;
        }
        mappings.push_back(m);
    }
    return mappings;
}

std::vector<PortMapping> publish_all(const std::vector<std::string>& exposed_ports) {
    std::vector<PortMapping> mappings;
    for (const std::string& exposed : exposed_ports) {
        // ExposedPorts keys are "80/tcp" or, from some builders, a range "8000-8001/udp".
        for (PortMapping m : parse_publish(exposed)) {
            m.host_port = 0;
            m.host_port_end = 0;
            mappings.push_back(m);
        }
    }
    return mappings;
}

std::string format_for_ps(const PortMapping& m) {
    return fmt::format("{}:{}->{}/{}", m.host_ip.empty() ? "0.0.0.0" : m.host_ip, m.host_port,
                       m.container_port, m.protocol);
}

std::string format_for_port(const PortMapping& m) {
    return fmt::format("{}/{} -> {}:{}", m.container_port, m.protocol,
                       m.host_ip.empty() ? "0.0.0.0" : m.host_ip, m.host_port);
}

void to_json(nlohmann::json& j, const PortMapping& m) {
    j = nlohmann::json{{"HostIp", m.host_ip},
                       {"HostPort", m.host_port},
                       {"ContainerPort", m.container_port},
                       {"Protocol", m.protocol}};
    if (m.host_port_end != 0) j["HostPortEnd"] = m.host_port_end;
}

void from_json(const nlohmann::json& j, PortMapping& m) {
    m.host_ip = j.value("HostIp", "");
    m.host_port = j.value("HostPort", uint16_t{0});
    m.host_port_end = j.value("HostPortEnd", uint16_t{0});
    m.container_port = j.at("ContainerPort").get<uint16_t>();
    m.protocol = j.value("Protocol", "tcp");
}

}  // namespace vessel
