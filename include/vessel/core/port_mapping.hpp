// Published ports (-p, -P; docs/network.md), kernel-free: parsing with docker's forms and error
// texts, and the way ps, port and inspect print them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace vessel {

struct PortMapping {
    std::string host_ip;     // "" = every address of the host ("0.0.0.0" in output)
    uint16_t host_port = 0;  // 0 until a free port is chosen (-p CTRPORT, -P)
    // Non-zero for a host range given for one container port (-p 8000-8010:80): host_port is the
    // range's first port, and choose_host_ports takes the first free port of the range.
    uint16_t host_port_end = 0;
    uint16_t container_port = 0;
    std::string protocol = "tcp";  // "tcp" or "udp"
    bool operator==(const PortMapping&) const = default;
};

// One -p value: CTRPORT, HOSTPORT:CTRPORT, IP:HOSTPORT:CTRPORT, IP::CTRPORT, each with an optional
// /tcp or /udp, and docker's ranges (8000-8002:80-82, or a host range for one container port:
// 8000-8010:80 picks one). Returns one mapping per port. Throws Error (125) with docker's texts
// ("invalid containerPort: x", "invalid hostPort: x", "invalid proto: sctp" ...).
std::vector<PortMapping> parse_publish(std::string_view value);

// -P: one mapping with a host port to choose for each of the image's ExposedPorts ("80/tcp").
std::vector<PortMapping> publish_all(const std::vector<std::string>& exposed_ports);

// "0.0.0.0:8080->80/tcp", as docker ps prints one mapping.
std::string format_for_ps(const PortMapping& mapping);
// "80/tcp -> 0.0.0.0:8080", as docker port prints one mapping.
std::string format_for_port(const PortMapping& mapping);

void to_json(nlohmann::json& j, const PortMapping& m);
void from_json(const nlohmann::json& j, PortMapping& m);

}  // namespace vessel
