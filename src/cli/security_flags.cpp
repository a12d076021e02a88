#include "vessel/cli/security_flags.hpp"

#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::cli {

void SecurityFlags::add_to(CLI::App& app) {
    app.add_flag("--privileged", privileged,
                 "Give the container every capability and device, no seccomp, no masked paths");
    app.add_option("--cap-add", cap_add, "Add a capability (e.g. NET_ADMIN, or ALL)")
        ->allow_extra_args(false);
    app.add_option("--cap-drop", cap_drop, "Drop a capability (e.g. NET_RAW, or ALL)")
        ->allow_extra_args(false);
    app.add_option("--security-opt", security_opt,
                   "seccomp=unconfined|PROFILE.json, no-new-privileges[=true|false]")
        ->allow_extra_args(false);
    app.add_option("--ulimit", ulimit, "An rlimit: NAME=SOFT[:HARD], e.g. nofile=4096:8192")
        ->allow_extra_args(false);
    app.add_option("--device", device, "Add a host device: HOST[:CONTAINER][:rwm]")
        ->allow_extra_args(false);
    app.add_option("--userns", userns,
                   "remap[:FIRST[:COUNT]]: root inside is uid FIRST (default 100000) outside");
}

Security SecurityFlags::to_security() const {
    Security s;
    s.privileged = privileged;
    s.cap_add = cap_add;
    s.cap_drop = cap_drop;
    for (auto& opt : security_opt) {
        apply_security_opt(s, opt, [](const std::string& path) {
            try {
                return fs::read_file(path);
            } catch (const SysError& e) {
                throw Error("cannot read seccomp profile " + path + ": " + errno_text(e.err()));
            }
        });
    }
    for (auto& u : ulimit) {
        Ulimit parsed = parse_ulimit(u);
        std::erase_if(s.ulimits, [&](const Ulimit& old) { return old.name == parsed.name; });
        s.ulimits.push_back(parsed);
    }
    for (auto& d : device) s.devices.push_back(parse_device(d));
    if (!userns.empty() && userns != "host") s.userns = parse_userns(userns);
    if (s.userns && s.privileged)
        throw Error(
            "--privileged and --userns=remap do not go together: a remapped root has no host "
            "privileges to give");
    finalize(s);
    return s;
}

void SecurityFlags::check_with(const std::string& network) const {
    if (!userns.empty() && userns != "host" && network == "host")
        throw Error(
            "--userns=remap and --network host do not go together: the host's network belongs to "
            "the host's root");
}

}  // namespace vessel::cli
