// run's mount flags (docs/mounts.md): -v/--volume, --mount, --tmpfs and --volumes-from, turned
// into MountSpecs with docker's rules (core/mount_spec.hpp).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "vessel/core/mount_spec.hpp"
#include "vessel/core/state.hpp"

namespace vessel::cli {

struct MountFlags {
    std::vector<std::string> volumes, mounts, tmpfs, volumes_from;

    void add_to(CLI::App& app);
    // The mounts, in flag order, then those of --volumes-from containers whose targets no flag
    // of ours names (docker lets -v override them). Throws Error (125).
    std::vector<MountSpec> to_mounts(const StateStore& store) const;
};

}  // namespace vessel::cli
