#include "vessel/cli/network_flags.hpp"

#include "vessel/core/network_options.hpp"
#include "vessel/core/port_mapping.hpp"

namespace vessel::cli {

void NetworkFlags::add_to(CLI::App& app) {
    app.add_option("--network,--net", network,
                   "Connect to a network: bridge (vessel's default network), the name of one "
                   "made with `vessel network create`, host, or none")
        ->capture_default_str();
    app.add_option("-p,--publish", publish,
                   "Publish a container's port on the host: [IP:][HOSTPORT:]PORT[/tcp|udp]")
        ->allow_extra_args(false);
    app.add_flag("-P,--publish-all", publish_all,
                 "Publish every port the image exposes on a free host port");
    app.add_option("--ip", ip, "The container's IPv4 address (user-defined networks)");
    app.add_option("--network-alias", aliases, "Another name for the container on its network")
        ->allow_extra_args(false);
    app.add_option("--dns", dns, "A nameserver for /etc/resolv.conf (replaces the host's)")
        ->allow_extra_args(false);
    app.add_option("--dns-search", dns_search, "A search domain for /etc/resolv.conf")
        ->allow_extra_args(false);
    app.add_option("--dns-option", dns_options, "An option for /etc/resolv.conf (ndots:2)")
        ->allow_extra_args(false);
    app.add_option("--add-host", add_hosts, "A line for /etc/hosts: NAME:IP")
        ->allow_extra_args(false);
}

void NetworkFlags::apply_to(RunRequest& r) const {
    r.network = network;
    for (const auto& value : publish)
        for (auto& mapping : parse_publish(value)) r.ports.push_back(std::move(mapping));
    r.publish_all = publish_all;
    r.ip = ip;
    r.network_aliases = aliases;
    r.dns = {.servers = dns, .search = dns_search, .options = dns_options};
    for (const auto& value : add_hosts) r.extra_hosts.push_back(parse_add_host(value));
}

}  // namespace vessel::cli
