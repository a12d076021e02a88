// What keeps a container in (docs/security.md), as data: capabilities, seccomp, no_new_privs,
// rlimits, devices and the user namespace, decided before any kernel call and stored in the
// spec (so `exec` confines its process exactly like the container's own command). Kernel-free:
// the flags are parsed here and unit-tested without root; src/launch/confinement.cpp and the
// src/linux/ files turn this into system calls.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vessel/core/capability_set.hpp"

namespace vessel {

// One rlimit: `--ulimit nofile=1024:524288`. kUnlimited is RLIM_INFINITY.
struct Ulimit {
    static constexpr uint64_t kUnlimited = ~uint64_t{0};
    std::string name;  // docker's names: nofile, nproc, core, memlock, stack, ...
    uint64_t soft = 0, hard = 0;
    bool operator==(const Ulimit&) const = default;
};

// `--device HOST[:CONTAINER][:PERMISSIONS]`, e.g. /dev/fuse or /dev/sdb:/dev/xvdb:r.
struct DeviceRequest {
    std::string host;       // the host's node, e.g. /dev/fuse
    std::string container;  // where it appears inside (default: the same path)
    std::string access = "rwm";
    bool operator==(const DeviceRequest&) const = default;
};

// `--userns=remap[:FIRST[:COUNT]]`: uid and gid 0..COUNT-1 inside are FIRST..FIRST+COUNT-1 outside.
struct UsernsRemap {
    uint32_t first = 100000;
    uint32_t count = 65536;
    bool operator==(const UsernsRemap&) const = default;
};

// One rule of the device cgroup: type 'a' (all), 'c' or 'b'; -1 for "*".
struct DeviceRule {
    char type = 'a';
    int64_t major = -1, minor = -1;
    std::string access = "rwm";
    bool allow = true;
    // "c 1:3 rwm", as cgroup v1's devices.allow takes it.
    std::string to_string() const;
    bool operator==(const DeviceRule&) const = default;
};

struct Security {
    bool privileged = false;                     // --privileged
    std::vector<std::string> cap_add, cap_drop;  // as given, normalized ("CAP_NET_ADMIN", "ALL")
    caps::Mask capabilities = caps::docker_default();  // the resolved bounding set
    std::string seccomp = "default";  // "default", "unconfined", or the profile's path
    std::string seccomp_profile;      // a custom profile's JSON text, kept for exec and inspect
    bool no_new_privileges = true;    // --security-opt no-new-privileges=false turns it off
    std::vector<Ulimit> ulimits;      // always holds nofile after finalize()
    std::vector<DeviceRequest> devices;
    std::optional<UsernsRemap> userns;  // --userns=remap

    bool seccomp_enabled() const { return seccomp != "unconfined"; }
};

// The rlimit every container gets unless --ulimit says otherwise: never the caller's, because
// a shell's huge inherited limit makes programs that close every fd crawl.
inline const Ulimit kDefaultNofile{"nofile", 1024, 524288};

// Docker's masked and read-only paths (what --privileged turns off). Masked files get /dev/null
// bound over them, masked directories an empty read-only tmpfs; read-only paths are bound
// read-only onto themselves.
const std::vector<std::string>& default_masked_paths();
const std::vector<std::string>& default_readonly_paths();

// The device cgroup: deny everything, then allow mknod of any node and use of the harmless ones
// (null, zero, full, random, urandom, tty, console, ptmx, the pty slaves, tun), plus each
// --device with its access. --privileged: allow all.
std::vector<DeviceRule> device_rules(const Security& security,
                                     const std::vector<DeviceRule>& extra = {});

// Parsers for the flags. Each throws Error (exit 125) with a message naming what is wrong.
Ulimit parse_ulimit(std::string_view text);         // "nofile=1024:2048", "core=0", "nproc=-1"
DeviceRequest parse_device(std::string_view text);  // "/dev/fuse", "/dev/sdb:/dev/xvdb:r"
UsernsRemap parse_userns(std::string_view text);    // "remap", "remap:200000", "remap:200000:65536"
// --security-opt: "no-new-privileges[=true|false]", "seccomp=unconfined", "seccomp=PATH". For a
// path, `read_file` is called to get the profile text (so this stays kernel-free).
void apply_security_opt(Security& security, std::string_view opt,
                        const std::function<std::string(const std::string&)>& read_file);

// After all flags: resolves the capability mask, adds the default nofile limit, checks that the
// combination makes sense. Throws Error.
void finalize(Security& security);

// The resource number of an rlimit name ("nofile" -> RLIMIT_NOFILE = 7), from Linux's ABI.
std::optional<int> rlimit_resource(std::string_view name);

void to_json(nlohmann::json& j, const Security& s);
void from_json(const nlohmann::json& j, Security& s);

}  // namespace vessel
