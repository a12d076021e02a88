// Named volumes (docs/mounts.md, "Volumes"): directories vessel keeps for containers, outliving
// them, under <data-root>/volumes/NAME/_data, with NAME/volume.json beside the data (docker's
// local driver has the same shape). A volume is in use while some container's spec (running or
// stopped) mounts it; that is read from the state store, so there is no count to go stale when a
// vessel process is killed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vessel/core/mount_spec.hpp"
#include "vessel/core/state.hpp"

namespace vessel::volumes {

inline constexpr const char* kDefaultDataRoot = "/var/lib/vessel";

struct Volume {
    std::string name;
    std::string mountpoint;  // <data-root>/volumes/NAME/_data
    int64_t created_ns = 0;
    std::map<std::string, std::string> labels;
    bool anonymous = false;  // made for `-v /path`: removed with its --rm container
};

class VolumeStore {
  public:
    explicit VolumeStore(std::string data_root);

    std::string dir() const { return root_ + "/volumes"; }
    // Creates the volume, or returns the existing one of that name (as docker does). Throws
    // Error (125) for a bad name.
    Volume create(const std::string& name, const std::map<std::string, std::string>& labels = {},
                  bool anonymous = false) const;
    std::optional<Volume> find(const std::string& name) const;
    Volume get(const std::string& name) const;  // throws Error "no such volume: NAME"
    std::vector<Volume> list() const;           // sorted by name
    void remove(const std::string& name) const;

  private:
    std::string root_;
};

// The ids of the containers whose spec mounts volume `name`.
std::vector<std::string> containers_using(const StateStore& states, const std::string& name);

// For `run`: fills every bind's and volume's host_path, creates missing -v bind sources (docker's
// legacy behaviour; --mount refuses them with docker's error), names and creates anonymous and
// missing named volumes, and copies the image's files at the target into a volume that is still
// empty (docker's copy-up). `image_dir` is the image's root. Returns the names of the anonymous
// volumes it made, so that a failed start can remove them. Throws Error/SysError.
std::vector<std::string> prepare(std::vector<MountSpec>& mounts, const VolumeStore& store,
                                 const std::string& image_dir);

// Teardown of a --rm container: removes its anonymous volumes, unless another container (made
// with --volumes-from) mounts them too. Never throws; problems are logged.
void remove_anonymous(const StateStore& states, const ContainerSpec& spec);

}  // namespace vessel::volumes
