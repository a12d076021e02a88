// From what the user typed (`vessel run -e A=1 -w /tmp img sh`) to a complete ContainerSpec:
// defaults, the image's config, and the checks that make bad input fail before anything exists.
// Kernel-free, so unit tests cover it without root.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "vessel/core/image.hpp"
#include "vessel/core/spec.hpp"
#include "vessel/core/user_db.hpp"

namespace vessel {

inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct RunRequest {
    std::string image;                      // as typed; validated by validate_image_dir
    std::vector<std::string> command;       // empty: the image's default
    std::optional<std::string> entrypoint;  // --entrypoint: replaces the image's ("" clears it)
    std::string name;
    std::string hostname;
    std::vector<std::string> env;  // -e KEY=VALUE, or -e KEY to copy vessel's own KEY
    std::string workdir;
    std::string user;
    std::string network = "bridge";  // none, host, bridge, or the name of a vessel network
    std::vector<PortMapping> ports;  // -p
    bool publish_all = false;        // -P: the image's ExposedPorts, on free host ports
    std::string ip;                  // --ip
    std::vector<std::string> network_aliases;
    DnsConfig dns;
    std::vector<ExtraHost> extra_hosts;
    bool tty = false, interactive = false, remove = false, init = false, read_only = false,
         detach = false;
    Resources resources;
    std::vector<MountSpec> mounts;  // -v, --mount, --tmpfs, --volumes-from (cli/mount_flags.cpp)
    Security security;  // from --cap-add, --security-opt, --ulimit... (cli/security_flags.cpp)
};

// Looks up a variable in vessel's own environment (for `-e KEY`); tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

// Merges request, image config and defaults into the spec of container `id`. `image_dir` is the
// validated absolute path; `user` was resolved against the image. Throws Error (125).
ContainerSpec build_spec(const RunRequest& request, const std::string& id,
                         const std::string& image_dir, const ImageConfig& image,
                         const ResolvedUser& user, const EnvLookup& lookup);

// Sets KEY=VALUE in an environment list, replacing an earlier KEY.
void set_env(std::vector<std::string>& env, const std::string& kv);

// Applies -e options (KEY=VALUE, or KEY to copy vessel's own value) to `env`, in order. Throws
// Error (125) for a malformed one. Shared by run and exec.
void apply_env_options(std::vector<std::string>& env, const std::vector<std::string>& options,
                       const EnvLookup& lookup);

}  // namespace vessel
