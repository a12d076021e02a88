// The resource flags shared by `vessel run` and `vessel update` (docs/cgroups.md):
// -m/--memory, --memory-swap, --cpus, --cpu-shares, --cpuset-cpus, --pids-limit.
#pragma once

#include <CLI/CLI.hpp>

#include "vessel/core/resources.hpp"

namespace vessel::cli {

// Registers the flags on `app`; each one given is stored, as typed, in `flags` (parsed and
// checked later by resources::apply_flags, so that every bad value gets the same clear error).
void add_resource_flags(CLI::App& app, resources::Flags& flags);

}  // namespace vessel::cli
