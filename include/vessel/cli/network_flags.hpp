// run's network flags (docs/network.md): --network, -p/--publish, -P/--publish-all, --ip,
// --network-alias, --dns, --dns-search, --dns-option, --add-host, parsed with docker's rules
// (core/port_mapping.hpp, core/network_options.hpp) into the RunRequest.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "vessel/core/run_request.hpp"

namespace vessel::cli {

struct NetworkFlags {
    std::string network = "bridge";
    std::vector<std::string> publish, aliases, dns, dns_search, dns_options, add_hosts;
    bool publish_all = false;
    std::string ip;

    void add_to(CLI::App& app);
    // Throws Error (125) for a malformed value.
    void apply_to(RunRequest& request) const;
};

}  // namespace vessel::cli
