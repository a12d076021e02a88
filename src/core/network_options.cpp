#include "vessel/core/network_options.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "vessel/util/error.hpp"

namespace vessel {
namespace {

bool is_ip(const std::string& text) {
    unsigned char buf[16];
    return ::inet_pton(AF_INET, text.c_str(), buf) == 1 ||
           ::inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

// A nameserver that only answers inside the host's own network namespace: 127.0.0.53
// (systemd-resolved), 127.0.0.1 (dnsmasq), ::1.
bool is_loopback(const std::string& server) {
    return server.starts_with("127.") || server == "::1";
}

bool is_ipv6(const std::string& server) {
    return server.find(':') != std::string::npos;
}

// The parts of a resolv.conf that docker carries over: nameservers, the last search (or domain)
// line, the last options line.
struct ResolvConf {
    std::vector<std::string> servers, search, options;
};

ResolvConf parse_resolv_conf(const std::string& text) {
    ResolvConf rc;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string key, word;
        words >> key;
        std::vector<std::string> values;
        while (words >> word) {
            if (word.starts_with('#') || word.starts_with(';')) break;
            values.push_back(word);
        }
        if (key == "nameserver" && !values.empty())
            rc.servers.push_back(values[0]);
        else if (key == "search" || key == "domain")
            rc.search = values;
        else if (key == "options")
            rc.options = values;
    }
    return rc;
}

void add_unique(std::vector<std::string>& to, const std::string& value) {
    if (std::find(to.begin(), to.end(), value) == to.end()) to.push_back(value);
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

}  // namespace

ExtraHost parse_add_host(std::string_view value) {
    const auto bad = [&](const std::string& why) {
        return Error(
            fmt::format("invalid argument \"{}\" for \"--add-host\" flag: {}", value, why));
    };
    // docker 25 takes NAME=IP too, which lets an IPv6 address keep its colons unbracketed.
    size_t sep = value.find('=');
    if (sep == std::string_view::npos) sep = value.find(':');
    if (sep == std::string_view::npos || sep == 0 || sep + 1 == value.size())
        throw bad(fmt::format("bad format for add-host: \"{}\"", value));
    ExtraHost h{std::string(value.substr(0, sep)), std::string(value.substr(sep + 1))};
    if (h.ip.size() > 2 && h.ip.front() == '[' && h.ip.back() == ']')
        h.ip = h.ip.substr(1, h.ip.size() - 2);
    if (h.ip != "host-gateway" && !is_ip(h.ip))
        throw bad(fmt::format("invalid IP address in add-host: \"{}\"", h.ip));
    return h;
}

std::string make_hosts_file(const std::string& hostname, const std::string* own_ip,
                            const std::vector<std::string>& own_names,
                            const std::vector<ExtraHost>& extra_hosts,
                            const std::vector<HostsPeer>& peers) {
    // docker's fixed head, byte for byte (libnetwork/etchosts).
    std::string out =
        "127.0.0.1\tlocalhost\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\n"
        "ff00::0\tip6-mcastprefix\n"
        "ff02::1\tip6-allnodes\n"
        "ff02::2\tip6-allrouters\n";
    for (const auto& h : extra_hosts) out += h.ip + "\t" + h.name + "\n";
    if (own_ip && !own_ip->empty()) {
        std::vector<std::string> names{hostname};
        for (const auto& n : own_names)
            if (!n.empty()) add_unique(names, n);
        out += *own_ip + "\t" + join(names) + "\n";
    }
    for (const auto& p : peers) {
        if (p.names.empty()) continue;
        std::vector<std::string> names;
        for (const auto& n : p.names)
            if (!n.empty()) add_unique(names, n);
        out += p.ip.str() + "\t" + join(names) + "\n";
    }
    return out;
}

std::string make_resolv_conf(const DnsConfig& flags, const std::string& host_text,
                             const std::string& upstream_text, bool own_netns) {
    const ResolvConf host = parse_resolv_conf(host_text);
    std::vector<std::string> servers;
    if (!flags.servers.empty()) {
        servers = flags.servers;  // the user's choice, taken as given
    } else if (!own_netns) {
        servers = host.servers;  // --network host: the host's loopback resolver answers
    } else {
        // In its own namespace the container's 127.0.0.53 is its own loopback, where nothing
        // listens; vessel has no IPv6 on its networks either (docker drops both the same way).
        bool had_loopback = false;
        for (const auto& s : host.servers) {
            if (is_loopback(s))
                had_loopback = true;
            else if (!is_ipv6(s))
                add_unique(servers, s);
        }
        if (had_loopback)
            for (const auto& s : parse_resolv_conf(upstream_text).servers)
                if (!is_loopback(s) && !is_ipv6(s)) add_unique(servers, s);
        if (servers.empty()) servers = {"8.8.8.8", "8.8.4.4"};
    }
    std::vector<std::string> search = flags.search.empty() ? host.search : flags.search;
    // docker: `--dns-search .` means "no search domains at all".
    if (search.size() == 1 && search[0] == ".") search.clear();
    const std::vector<std::string>& options = flags.options.empty() ? host.options : flags.options;

    std::string out;
    if (!search.empty()) out += "search " + join(search) + "\n";
    for (const auto& s : servers) out += "nameserver " + s + "\n";
    if (!options.empty()) out += "options " + join(options) + "\n";
    return out;
}

void to_json(nlohmann::json& j, const DnsConfig& d) {
    j = {{"servers", d.servers}, {"search", d.search}, {"options", d.options}};
}

void from_json(const nlohmann::json& j, DnsConfig& d) {
    d.servers = j.value("servers", std::vector<std::string>{});
    d.search = j.value("search", std::vector<std::string>{});
    d.options = j.value("options", std::vector<std::string>{});
}

void to_json(nlohmann::json& j, const ExtraHost& h) {
    j = {{"name", h.name}, {"ip", h.ip}};
}

void from_json(const nlohmann::json& j, ExtraHost& h) {
    h.name = j.value("name", "");
    h.ip = j.value("ip", "");
}

}  // namespace vessel
