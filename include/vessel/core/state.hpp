// The state store: what vessel knows about each container, on disk, as the single truth that
// every vessel command reads (docs/state.md).
//
//   <root>/<id>/state.json      this container's ContainerState, replaced atomically
//   <root>/<id>/upper, work     the overlay's writable layer (docs/filesystem.md)
//   <root>/<id>/rootfs          where the overlay is mounted, inside the container's mount
//   namespace <root>/.names/<name> -> id  name reservations: symlink(2) is atomic, so two
//   containers
//                               started at once can never both get a name
//
// Writers hold the per-container lock (flock on the container's directory) while they
// read-modify-write state.json.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vessel/core/spec.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel {

inline constexpr const char* kDefaultStateRoot = "/run/vessel";

enum class Status { kCreated, kRunning, kExited };
std::string to_string(Status status);
Status status_from_string(const std::string& text);

// A process named by pid plus its start time (field 22 of /proc/PID/stat, in clock ticks since
// boot), so that a pid the kernel has since given to another process is never mistaken for ours.
struct ProcessIdentity {
    pid_t pid = 0;
    uint64_t start_time = 0;
};

// What a container holds of a vessel network while it exists (docs/network.md): recorded before
// anything is made, so that the teardown, even in another process, releases all of it (the
// lease, the published ports, the host's end of the veth pair).
struct NetworkAttachment {
    std::string network;     // its name
    std::string network_id;  // 64 hex characters
    std::string bridge;      // the Linux bridge the host's end is enslaved to
    std::string host_veth;   // the host's end of the veth pair
    std::string ip;          // the leased address, "10.88.0.2"
    int prefix = 0;          // the subnet's prefix length
    std::string gateway;     // the bridge's address: the default route
    std::string mac;
    bool user_defined = false;  // names resolved through /etc/hosts (not on the default network)
    bool operator==(const NetworkAttachment&) const = default;
};

void to_json(nlohmann::json& j, const NetworkAttachment& a);
void from_json(const nlohmann::json& j, NetworkAttachment& a);

struct ContainerState {
    ContainerSpec spec;
    Status status = Status::kCreated;
    int64_t created_ns = 0;
    int64_t started_ns = 0;
    int64_t finished_ns = 0;
    ProcessIdentity init;   // the container's PID 1, as seen from the host
    ProcessIdentity owner;  // the vessel process that waits for it (foreground run or monitor)
    std::optional<int> exit_code;
    bool oom_killed = false;
    nlohmann::json cgroup = nlohmann::json::object();  // the cgroup directories this container owns
    std::string log_path;  // detached containers: where the monitor writes their output
    std::optional<NetworkAttachment> network;  // --network bridge/NAME, until released
    bool paused = false;  // `vessel pause`: its processes are frozen (running/pause.hpp)
};

void to_json(nlohmann::json& j, const ContainerState& s);
void from_json(const nlohmann::json& j, ContainerState& s);

// An exclusive flock(2) on a container's directory, released when this object dies.
class ContainerLock {
  public:
    explicit ContainerLock(UniqueFd dir) : dir_(std::move(dir)) {}
    int dir_fd() const { return dir_.get(); }

  private:
    UniqueFd dir_;
};

class StateStore {
  public:
    explicit StateStore(std::string root = kDefaultStateRoot);

    const std::string& root() const { return root_; }
    std::string dir_of(const std::string& id) const { return root_ + "/" + id; }
    std::string state_path(const std::string& id) const { return dir_of(id) + "/state.json"; }

    // Creates the container's directory (mode 0700), reserves its name and writes the first
    // state.json. Throws Error on a name clash; leaves nothing behind when it throws.
    void create(const ContainerState& state) const;
    // Replaces state.json atomically. The caller holds the container's lock.
    void save(const ContainerState& state) const;
    ContainerState load(const std::string& id) const;
    bool exists(const std::string& id) const;
    // The ids of every container, in no particular order.
    std::vector<std::string> list_ids() const;
    // An id, unique id prefix or name to the full id. Throws Error (125) for unknown or
    // ambiguous references, with docker's wording.
    std::string resolve(const std::string& reference) const;
    // Removes the directory (and the upper layer inside it) and the name reservation. The
    // container vanishes from listings at once (one rename), even if the remover is killed.
    void remove(const ContainerState& state) const;
    // Finishes what a vessel killed inside create() or remove() left: ".new-" and ".gone-"
    // directories whose process is dead, and name links whose container does not exist.
    // Never touches a container's own directory. `ps` and `rm` call it.
    void sweep() const;

    ContainerLock lock(const std::string& id) const;

  private:
    std::string names_dir() const { return root_ + "/.names"; }
    void reserve_name(const std::string& name, const std::string& id) const;
    void release_name(const std::string& name, const std::string& id) const;
    // True while container `id` has a state.json, or a directory being built by create().
    bool name_holder_exists(const std::string& id) const;
    bool being_built(const std::string& id) const;

    // <root>/.new-<id>.<pid>: a container being created by process pid (create()).
    static constexpr const char* kBuildingPrefix = ".new-";
    // <root>/.gone-<id>.<pid>: a container being removed by process pid (remove()).
    static constexpr const char* kRemovingPrefix = ".gone-";

    std::string root_;
};

}  // namespace vessel
