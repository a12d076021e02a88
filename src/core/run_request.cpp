#include "vessel/core/run_request.hpp"

#include <cstdlib>

#include "vessel/core/ids.hpp"
#include "vessel/util/error.hpp"

namespace vessel {
namespace {

bool has_key(const std::vector<std::string>& env, const std::string& key) {
    for (auto& kv : env)
        if (kv.compare(0, key.size() + 1, key + "=") == 0) return true;
    return false;
}

}  // namespace

EnvLookup process_env() {
    return [](const std::string& key) -> std::optional<std::string> {
        const char* value = std::getenv(key.c_str());
        if (!value) return std::nullopt;
        return std::string(value);
    };
}

void set_env(std::vector<std::string>& env, const std::string& kv) {
    std::string key = kv.substr(0, kv.find('='));
    for (auto& existing : env) {
        if (existing.compare(0, key.size() + 1, key + "=") == 0) {
            existing = kv;
            return;
        }
    }
    env.push_back(kv);
}

void apply_env_options(std::vector<std::string>& env, const std::vector<std::string>& options,
                       const EnvLookup& lookup) {
    for (auto& item : options) {
        auto eq = item.find('=');
        std::string key = item.substr(0, eq);
        if (key.empty() || key.find_first_of(" \t\n") != std::string::npos)
            throw Error("invalid environment variable \"" + item + "\": use KEY=VALUE");
        if (eq != std::string::npos) {
            set_env(env, item);
        } else if (auto value = lookup(key)) {
            set_env(env, key + "=" + *value);  // -e KEY: pass vessel's own value through
        }
    }
}

namespace {

// --network and the flags that only make sense with a network of vessel's (docs/network.md),
// refused with docker's texts where docker refuses them.
void apply_network_request(const RunRequest& r, ContainerSpec& spec) {
    if (r.network.starts_with("container:"))
        throw Error("--network " + r.network +
                    ": joining another container's network is not supported yet; use bridge, "
                    "a network's name, host or none");
    if (r.network == "none" || r.network == "host") {
        spec.network = network_mode_from_string(r.network);
    } else {
        spec.network = NetworkMode::kBridge;
        spec.network_name = r.network == "bridge" ? "vessel" : r.network;
    }
    const bool user_defined =
        spec.network == NetworkMode::kBridge && r.network != "bridge" && r.network != "vessel";
    if (!r.network_aliases.empty() && !user_defined)
        throw Error("network-scoped aliases are only supported for user-defined networks");
    if (!r.ip.empty()) {
        if (!user_defined)
            throw Error("user specified IP address is supported on user defined networks only");
        Ipv4::parse(r.ip);  // a malformed address fails here
    }
    if (!r.ports.empty() && spec.network == NetworkMode::kNone)
        throw Error("published ports need a network: --network none has none (docs/network.md)");
    // Docker discards them with a warning under --network host: the ports are the host's own.
    if (spec.network != NetworkMode::kHost) spec.ports = r.ports;
    spec.ip = r.ip;
    spec.network_aliases = r.network_aliases;
    spec.dns = r.dns;
    spec.extra_hosts = r.extra_hosts;
}

}  // namespace

ContainerSpec build_spec(const RunRequest& r, const std::string& id, const std::string& image_dir,
                         const ImageConfig& image, const ResolvedUser& user,
                         const EnvLookup& lookup) {
    ContainerSpec spec;
    spec.id = id;
    spec.image = image_dir;
    if (!r.name.empty()) ids::check_name(r.name);
    spec.name = r.name;
    spec.hostname = r.hostname.empty() ? id.substr(0, ids::kShortLength) : r.hostname;
    ids::check_hostname(spec.hostname);

    if (!r.command.empty() && r.command[0].empty())
        throw Error(
            "the command is an empty string: give a program to run, or no command at "
            "all for the image's default");
    // Docker's rule: ENTRYPOINT + CMD; a command given replaces CMD, --entrypoint replaces
    // ENTRYPOINT and drops the image's CMD with it.
    std::vector<std::string> entrypoint = image.entrypoint, cmd = image.cmd;
    if (r.entrypoint) {
        entrypoint.clear();
        if (!r.entrypoint->empty()) entrypoint.push_back(*r.entrypoint);
        cmd.clear();
    }
    if (!r.command.empty()) cmd = r.command;
    spec.args = entrypoint;
    spec.args.insert(spec.args.end(), cmd.begin(), cmd.end());
    if (spec.args.empty() || spec.args[0].empty())
        throw Error("no command given, and image " + image_dir +
                    " has no default command (cmd in " + image_dir + ".json)");

    spec.workdir = !r.workdir.empty() ? r.workdir : !image.workdir.empty() ? image.workdir : "/";
    if (spec.workdir[0] != '/')
        throw Error("the working directory \"" + spec.workdir + "\" must be an absolute path");

    // Docker's order: PATH and HOSTNAME first, then TERM, the image's variables, -e, and HOME
    // last if nobody set it.
    spec.env = {std::string("PATH=") + kDefaultPath, "HOSTNAME=" + spec.hostname};
    if (r.tty) spec.env.push_back("TERM=xterm");
    for (auto& kv : image.env) set_env(spec.env, kv);
    apply_env_options(spec.env, r.env, lookup);
    if (!has_key(spec.env, "HOME")) spec.env.push_back("HOME=" + user.home);

    spec.user = r.user.empty() ? image.user : r.user;
    spec.tty = r.tty;
    spec.interactive = r.interactive;
    spec.remove = r.remove;
    spec.init = r.init;
    spec.read_only = r.read_only;
    spec.detach = r.detach;
    apply_network_request(r, spec);
    spec.resources = r.resources;
    spec.security = r.security;
    check_mount_targets(r.mounts);
    spec.mounts = in_mount_order(r.mounts);
    finalize(spec.security);
    return spec;
}

}  // namespace vessel
