// ContainerSpec: everything a container is made of, decided before any kernel call is made.
// The CLI builds it from flags and the image config, the launcher turns it into a process, and it
// is stored verbatim in state.json so that later commands (ps, exec, inspect) see the same thing.
// Kernel-free: nothing here includes linux/ (docs/architecture.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vessel/core/mount_spec.hpp"
#include "vessel/core/network_options.hpp"
#include "vessel/core/port_mapping.hpp"
#include "vessel/core/security.hpp"

namespace vessel {

// --network (docs/network.md): none (an empty namespace: lo only), host (the host's own network),
// bridge (a network of vessel's: the default one, or one made with `vessel network create`).
enum class NetworkMode { kNone, kHost, kBridge };

// Limits written to the container's cgroup (docs/cgroups.md). Unset means "no limit", except
// pids_limit, which has a default so that a fork bomb cannot sink the host.
struct Resources {
    static constexpr int64_t kDefaultPidsLimit = 4096;

    std::optional<int64_t> memory;       // bytes
    std::optional<int64_t> memory_swap;  // bytes of memory+swap; -1 = unlimited swap
    std::optional<double> cpus;          // fractional CPUs, e.g. 0.5
    std::optional<uint64_t> cpu_shares;  // relative weight, docker's 2..262144 (default 1024)
    std::optional<std::string> cpuset_cpus;
    std::optional<int64_t> pids_limit = kDefaultPidsLimit;  // <= 0 means unlimited
};

// One mount of config.json's "mounts" (runtime-spec config.md#mounts), kept as written: the
// options are turned into mount(2) flags by mount_options() (core/oci_config.hpp).
struct OciMount {
    std::string destination;  // absolute, inside the container
    std::string type;         // "bind", "tmpfs", "proc", ... ("" for a bind without a type)
    std::string source;       // a host path for binds, else what mount(2) takes as source
    std::vector<std::string> options;  // "rbind", "ro", "nosuid", "mode=755", "rprivate"...
    bool operator==(const OciMount&) const = default;
};

// One hook of config.json (runtime-spec config.md#posix-platform-hooks).
struct HookSpec {
    std::string path;
    std::vector<std::string> args, env;
    std::optional<int> timeout;  // seconds
    bool operator==(const HookSpec&) const = default;
};

struct Hooks {
    std::vector<HookSpec> prestart, create_runtime, create_container, start_container, poststart,
        poststop;
    bool empty() const {
        return prestart.empty() && create_runtime.empty() && create_container.empty() &&
               start_container.empty() && poststart.empty() && poststop.empty();
    }
};

// The five capability sets of config.json's process.capabilities. `vessel run` has only one
// (Security::capabilities, the bounding set); the OCI path fills these as well.
struct CapabilitySets {
    caps::Mask bounding = 0, effective = 0, inheritable = 0, permitted = 0, ambient = 0;
    bool operator==(const CapabilitySets&) const = default;
};

struct ContainerSpec {
    std::string id;         // 64 hex characters
    std::string name;       // unique, docker's rules
    std::string image;      // absolute path of the image directory (the overlay's lower layer);
                            // for an image from the store, its layer directories, topmost first,
                            // joined by ':' (overlayfs' own separator; image paths never hold one)
    std::string image_ref;  // the image as the user named it ("busybox"), "" for a directory
    std::string image_id;   // the image's id in the store: rmi refuses it while this exists
    std::string stop_signal;                 // the image's StopSignal, "" for docker's TERM
    std::vector<std::string> exposed_ports;  // the image's ExposedPorts ("80/tcp"), recorded
    std::vector<std::string> args;           // argv of the command; args[0] is looked up in PATH
    std::vector<std::string> env;            // KEY=VALUE, the complete environment of the command
    std::string workdir = "/";
    std::string user;  // as given to -u, "" for root; resolved against the image's /etc/passwd
    std::string hostname;
    bool tty = false;          // -t: a pty from the container's own devpts
    bool interactive = false;  // -i: keep stdin attached
    bool remove = false;       // --rm
    bool init = false;         // --init: vessel's minimal init is PID 1
    bool read_only = false;    // --read-only root filesystem
    bool detach = false;       // -d
    NetworkMode network = NetworkMode::kNone;
    std::string network_name;        // kBridge: the vessel network joined ("vessel" is the default)
    std::vector<PortMapping> ports;  // -p, -P; host ports chosen at the start
    std::string ip;                  // --ip: a wanted address, "" for the next free
    std::vector<std::string> network_aliases;  // --network-alias: more names on its network
    DnsConfig dns;                             // --dns, --dns-search, --dns-option
    std::vector<ExtraHost> extra_hosts;        // --add-host
    // --data-root: where the container's images, volumes and networks are recorded ("" for
    // the OCI path, which uses none of them).
    std::string data_root;
    Resources resources;
    Security security;              // capabilities, seccomp, no_new_privs, rlimits, devices, userns
    std::vector<MountSpec> mounts;  // -v, --mount, --tmpfs (docs/mounts.md), in mount order

    // What config.json (the OCI path, docs/oci.md) says beyond `vessel run`'s flags. Defaults
    // leave `vessel run` exactly as it was.
    std::string rootfs;  // a root bound as is (the bundle's), instead of an overlay of `image`
    std::vector<OciMount> oci_mounts;  // config.json's, in order, after vessel's /proc, /sys, /dev
    std::optional<std::vector<std::string>> masked_paths;     // unset: Docker's list
    std::optional<std::vector<std::string>> readonly_paths;   // unset: Docker's list
    std::vector<std::pair<std::string, std::string>> sysctl;  // "net.ipv4.ip_forward", "1"
    std::optional<int> oom_score_adj;
    std::optional<uint32_t> umask;  // unset: Docker's 022
    std::optional<CapabilitySets> capability_sets;
    Hooks hooks;
    std::string domainname;
    // OCI create: the child waits, right before its confinement and execve, until `start` opens
    // this fifo (docs/oci.md); it outlives the process that created it. "" for `vessel run`.
    std::string exec_fifo;

    std::string short_id() const { return id.substr(0, 12); }
};

void to_json(nlohmann::json& j, const Resources& r);
void from_json(const nlohmann::json& j, Resources& r);
void to_json(nlohmann::json& j, const OciMount& m);
void from_json(const nlohmann::json& j, OciMount& m);
void to_json(nlohmann::json& j, const HookSpec& h);
void from_json(const nlohmann::json& j, HookSpec& h);
void to_json(nlohmann::json& j, const Hooks& h);
void from_json(const nlohmann::json& j, Hooks& h);
void to_json(nlohmann::json& j, const CapabilitySets& c);
void from_json(const nlohmann::json& j, CapabilitySets& c);
void to_json(nlohmann::json& j, const ContainerSpec& s);
void from_json(const nlohmann::json& j, ContainerSpec& s);

std::string to_string(NetworkMode mode);
NetworkMode network_mode_from_string(const std::string& text);  // throws Error on unknown modes

}  // namespace vessel
