// What a container mounts besides its root (docs/mounts.md): bind mounts of host paths, volumes
// (directories vessel keeps under <data-root>/volumes) and tmpfs, as given to -v, --mount and
// --tmpfs. Parsed here with docker's rules and docker's error texts, kernel-free and unit-tested;
// the mounting itself is src/linux/container_mounts.cpp, the volume store src/volumes/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace vessel {

enum class MountType { kBind, kVolume, kTmpfs };

// Mount propagation of a bind (mount_namespaces(7)). Docker's default is rprivate: nothing
// mounted on either side afterwards shows on the other.
enum class Propagation { kRPrivate, kPrivate, kRSlave, kSlave, kRShared, kShared };

struct MountSpec {
    MountType type = MountType::kVolume;
    // bind: the absolute host path; volume: the volume's name ("" until an anonymous volume is
    // given one at run time); tmpfs: empty.
    std::string source;
    std::string target;  // absolute and cleaned: "/data", never "/"
    bool readonly = false;
    Propagation propagation = Propagation::kRPrivate;
    bool create_source = false;         // -v HOST:CTR makes a missing HOST (docker's legacy -v)
    bool copy_up = true;                // a new empty volume first gets the image's files at target
    bool anonymous = false;             // -v CTR: a volume with a random name, removed by --rm
    std::optional<int64_t> tmpfs_size;  // bytes; unset: the kernel's default (half of RAM)
    std::optional<uint32_t> tmpfs_mode;      // unset: 01777
    std::vector<std::string> tmpfs_options;  // exec/noexec, suid/nosuid, dev/nodev, uid=, gid=
    // Filled at run time: the host directory or file that is bind-mounted (a volume's _data).
    std::string host_path;
};

// `-v HOST:CTR[:OPTS]`, `-v NAME:CTR[:OPTS]`, `-v CTR`. OPTS: ro|rw, a propagation mode,
// nocopy. `cwd` makes "./x" and "." absolute, as the docker CLI does. Throws Error (125).
MountSpec parse_volume_flag(std::string_view raw, const std::string& cwd);

// `--mount type=bind|volume|tmpfs,source=..,target=..,readonly,bind-propagation=..,
// volume-nocopy,tmpfs-size=..,tmpfs-mode=..`. Throws Error (125).
MountSpec parse_mount_flag(std::string_view raw, const std::string& cwd);

// `--tmpfs CTR[:size=64m,mode=1770,noexec,...]`. Throws Error (125).
MountSpec parse_tmpfs_flag(std::string_view raw);

// `--volumes-from CONTAINER[:ro|rw]`: the container and the mode to force ("" keeps each
// mount's own). Throws Error (125).
std::pair<std::string, std::string> parse_volumes_from(std::string_view raw);

// docker's local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]*. Throws Error (125) with docker's text.
void check_volume_name(std::string_view name);

// Refuses two mounts on one target ("Duplicate mount point: /x"), as docker does.
void check_mount_targets(const std::vector<MountSpec>& mounts);

// Mounts in the order they must be made: parents before what is mounted inside them (/a before
// /a/b), otherwise in the order given.
std::vector<MountSpec> in_mount_order(std::vector<MountSpec> mounts);

// "/a//b/../c/" -> "/a/c" (lexical, as Go's path.Clean).
std::string clean_path(std::string_view path);

std::string to_string(MountType type);
std::string to_string(Propagation propagation);

void to_json(nlohmann::json& j, const MountSpec& m);
void from_json(const nlohmann::json& j, MountSpec& m);

}  // namespace vessel
