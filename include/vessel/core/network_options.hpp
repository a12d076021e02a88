// What a container's /etc/resolv.conf and /etc/hosts are made of (--dns, --dns-search,
// --dns-option, --add-host; docs/network.md), kernel-free: the flags' parsing and the files'
// text. The files themselves are written by src/network/etc_files.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vessel/core/ipv4.hpp"

namespace vessel {

struct DnsConfig {
    std::vector<std::string> servers;  // --dns: replace the host's nameservers
    std::vector<std::string> search;   // --dns-search
    std::vector<std::string> options;  // --dns-option ("ndots:2")
    bool operator==(const DnsConfig&) const = default;
};

struct ExtraHost {
    std::string name;
    std::string ip;  // as given; "host-gateway" is replaced by the network's gateway at start
    bool operator==(const ExtraHost&) const = default;
};

// --add-host NAME:IP (or NAME=IP, as docker 25 accepts). Throws Error (125):
// `invalid argument "x" for "--add-host" flag: bad format for add-host: "x"`.
ExtraHost parse_add_host(std::string_view value);

// One line of /etc/hosts for another container on the same user-defined network.
struct HostsPeer {
    Ipv4 ip;
    std::vector<std::string> names;  // its name, its hostname, its --network-alias values
};

// The container's /etc/hosts: localhost lines (127.0.0.1 and ::1 as docker writes them), the
// --add-host lines, the container's own address with its hostname (and its name), then its
// peers. `own_ip` is empty for --network none/host.
std::string make_hosts_file(const std::string& hostname, const std::string* own_ip,
                            const std::vector<std::string>& own_names,
                            const std::vector<ExtraHost>& extra_hosts,
                            const std::vector<HostsPeer>& peers);

// The container's /etc/resolv.conf, from the host's (`host_text`) as docker makes it: --dns
// replaces the nameservers, --dns-search the search line, --dns-option the options. With a
// network namespace of its own (`own_netns`) a loopback nameserver of the host (systemd-resolved's
// 127.0.0.53) cannot answer; it is replaced by the upstream servers (`upstream_text`,
// /run/systemd/resolve/resolv.conf's text, "" when absent), and when none are left by docker's
// fallback 8.8.8.8 and 8.8.4.4.
std::string make_resolv_conf(const DnsConfig& flags, const std::string& host_text,
                             const std::string& upstream_text, bool own_netns);

void to_json(nlohmann::json& j, const DnsConfig& d);
void from_json(const nlohmann::json& j, DnsConfig& d);
void to_json(nlohmann::json& j, const ExtraHost& h);
void from_json(const nlohmann::json& j, ExtraHost& h);

}  // namespace vessel
