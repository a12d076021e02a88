// An OCI bundle's config.json (runtime-spec 1.1, config.md and config-linux.md) turned into
// vessel's own ContainerSpec, so that `vessel-oci create` and `vessel run` start containers
// through one launch (docs/oci.md). Everything config.json can say is either mapped onto the
// spec, or refused with one clear line (exit 125) naming the field, or, for the few fields that
// only matter on a host with a feature this one lacks (AppArmor, SELinux labels), reported as a
// warning for the front end to print.
//
// Kernel-free: no file is read here (the bundle's path only names the root), so the parser is
// unit-tested with table-driven configs and fuzzed (tests/fuzz/oci_config_fuzz.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "vessel/core/spec.hpp"
#include "vessel/core/user_db.hpp"

namespace vessel::oci {

// What the host offers, for the fields whose meaning depends on it.
struct HostFeatures {
    bool apparmor = false;  // /sys/module/apparmor/parameters/enabled says Y
    bool selinux = false;   // /sys/fs/selinux is mounted
};

// One entry of linux.devices, as config.json gives it ('b' or 'c'; "u" is 'c').
struct OciDevice {
    std::string path;
    char type = 'c';
    int64_t major = 0, minor = 0;
};

struct Config {
    ContainerSpec spec;  // everything but id and name, which the caller sets
    ResolvedUser user;   // process.user, numeric as config.json gives it
    std::string oci_version;
    std::map<std::string, std::string> annotations;
    std::string cgroups_path;           // linux.cgroupsPath, as written (docs/oci.md)
    std::vector<std::string> warnings;  // fields ignored on this host, one line each
    // linux.devices: each is also a --device request in spec.security.devices (the host's node
    // at the same path); vessel-oci checks the host's node against these before creating.
    std::vector<OciDevice> devices;
};

// Parses `text` (config.json) of the bundle at `bundle` (absolute). Throws Error (exit 125)
// naming the field: `config.json: linux.namespaces[2]: joining a namespace by path is not
// supported`.
Config parse_config(std::string_view text, const std::string& bundle, const HostFeatures& host);

// A mount's options as mount(2) wants them. `flags` holds MS_* bits (MS_BIND, MS_REC, MS_RDONLY,
// ...); `clear` the bits an option turned off ("rw", "suid", ...); `propagation` MS_PRIVATE,
// MS_SLAVE, MS_SHARED or MS_UNBINDABLE (with MS_REC for the r-forms), applied after the mount;
// `data` the filesystem's own options ("mode=755,size=65536k"). Throws Error for options no
// runtime knows.
struct MountOptions {
    unsigned long flags = 0;
    unsigned long clear = 0;
    unsigned long propagation = 0;
    std::string data;
    // "tmpcopyup" (runc's and crun's extension): a tmpfs first gets a copy of what the image
    // has at its destination, as docker's volumes do.
    bool tmpcopyup = false;
    bool bind() const;
};
MountOptions mount_options(const std::vector<std::string>& options);

// Whether vessel's own launch already makes this mount (/proc, /sys, /dev, /dev/pts, /dev/shm,
// /dev/mqueue, /sys/fs/cgroup of their usual types): such entries are not mounted twice.
bool made_by_vessel(const OciMount& mount);

// The OCI "state" of runtime-spec runtime.md#state.
nlohmann::json state_json(const std::string& id, const std::string& status, int pid,
                          const std::string& bundle,
                          const std::map<std::string, std::string>& annotations);

}  // namespace vessel::oci
