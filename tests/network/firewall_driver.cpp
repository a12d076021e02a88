// firewall_driver: vessel's firewall functions (include/vessel/network/firewall.hpp) on a command
// line, for tests/network/firewall_smoke.sh, which runs it inside a private network namespace.
// It lives beside vessel-nft in the build directory, where the firewall looks for the helper.
//
//   firewall_driver [--explain] ensure|remove NAME BRIDGE SUBNET
//   firewall_driver [--explain] publish|unpublish CONTAINER_IP -p SPEC...   (prints each chosen
//   mapping)
#include <cstdio>
#include <string>
#include <vector>

#include "vessel/core/port_mapping.hpp"
#include "vessel/network/firewall.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

using namespace vessel;

int main(int argc, char** argv) {
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        if (!args.empty() && args[0] == "--explain") {  // the trace vessel run --explain prints
            explain::enable(2);
            args.erase(args.begin());
        }
        if (args.size() == 4 && (args[0] == "ensure" || args[0] == "remove")) {
            network::NetworkRecord n;
            n.name = args[1];
            n.bridge = args[2];
            n.subnet = Subnet::parse(args[3]);
            n.gateway = n.subnet.first_host();
            if (args[0] == "ensure")
                network::ensure_network_rules(n);
            else
                network::remove_network_rules(n);
            return 0;
        }
        if (args.size() >= 2 && (args[0] == "publish" || args[0] == "unpublish")) {
            std::vector<PortMapping> ports;
            for (size_t i = 2; i + 1 < args.size(); i += 2)
                for (const auto& p : parse_publish(args[i + 1])) ports.push_back(p);
            network::NetworkRecord n;
            if (args[0] == "publish") {
                network::choose_host_ports(ports);
                network::publish_ports(n, Ipv4::parse(args[1]), ports);
                for (const auto& p : ports) std::printf("%s\n", format_for_port(p).c_str());
            } else {
                network::unpublish_ports(n, Ipv4::parse(args[1]), ports);
            }
            return 0;
        }
        std::fprintf(stderr, "usage: see tests/network/firewall_driver.cpp\n");
        return 2;
    } catch (const Error& e) {
        std::fprintf(stderr, "Error: %s\n", e.what());
        return e.exit_code();
    }
}
