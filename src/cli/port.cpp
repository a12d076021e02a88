// vessel port CONTAINER [PRIVATE_PORT[/PROTO]]
//
// The container's published ports as docker prints them: "80/tcp -> 0.0.0.0:8080" per mapping,
// or, for one private port, only its host side ("0.0.0.0:8080"). Like docker, a container that
// is not running publishes nothing: its ports are DNAT rules that exist only while it runs.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <tuple>

#include <fmt/format.h>

#include "vessel/cli/command.hpp"
#include "vessel/core/port_mapping.hpp"
#include "vessel/running/control.hpp"
#include "vessel/util/error.hpp"

namespace vessel::cli {
namespace {

// "80" or "80/udp" (tcp when no protocol), as docker's `port` reads it.
PortMapping parse_private_port(const std::string& text) {
    PortMapping wanted;
    const size_t slash = text.find('/');
    const std::string number = text.substr(0, slash);
    if (slash != std::string::npos && slash + 1 < text.size())
        wanted.protocol = text.substr(slash + 1);
    auto [end, ec] =
        std::from_chars(number.data(), number.data() + number.size(), wanted.container_port);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size())
        throw Error(fmt::format("invalid port ({})", number));
    return wanted;
}

class PortCommand final : public Command {
  public:
    explicit PortCommand(CLI::App& parent) {
        app = parent.add_subcommand("port", "List a container's published ports");
        app->add_option("CONTAINER", container_, "Container name, id or unique id prefix")
            ->required();
        app->add_option("PRIVATE_PORT", private_port_, "Only this port: 80, or 53/udp");
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        StateStore store = open_store(global);
        const ContainerState state = store.load(store.resolve(container_));
        std::vector<PortMapping> ports;
        if (control::observe(state) == LiveStatus::kRunning) ports = state.spec.ports;
        // Docker sorts its lines; by container port, then protocol, then host side here.
        std::sort(ports.begin(), ports.end(), [](const PortMapping& a, const PortMapping& b) {
            return std::tie(a.container_port, a.protocol, a.host_ip, a.host_port) <
                   std::tie(b.container_port, b.protocol, b.host_ip, b.host_port);
        });
        std::string out;
        if (private_port_.empty()) {
            for (const PortMapping& port : ports) out += format_for_port(port) + "\n";
        } else {
            const PortMapping wanted = parse_private_port(private_port_);
            for (const PortMapping& port : ports)
                if (port.container_port == wanted.container_port &&
                    port.protocol == wanted.protocol)
                    out += fmt::format("{}:{}\n", port.host_ip.empty() ? "0.0.0.0" : port.host_ip,
                                       port.host_port);
            if (out.empty())
                throw Error(
                    fmt::format("No public port '{}' published for {}", private_port_, container_));
        }
        std::fwrite(out.data(), 1, out.size(), stdout);
        return 0;
    }

  private:
    std::string container_;
    std::string private_port_;
};

}  // namespace

std::unique_ptr<Command> make_port(CLI::App& app) {
    return std::make_unique<PortCommand>(app);
}

}  // namespace vessel::cli
