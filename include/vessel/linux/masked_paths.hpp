// Masked and read-only paths (docs/masked-paths-and-devices.md): the parts of /proc and /sys
// that describe or steer the host rather than the container. Masked files get the container's
// /dev/null bound over them (after checking that it is the real character device 1:3, so an
// image cannot turn the mask into a bind of something else, CVE-2025-31133), masked directories
// an empty read-only tmpfs; read-only paths are bound onto themselves and remounted read-only.
// Every target is opened with openat2(RESOLVE_IN_ROOT) and mounted through /proc/self/fd/N.
#pragma once

#include <string>
#include <vector>

namespace vessel::masked_paths {

// Child side, after /proc, /sys and /dev are mounted in `root_fd`, before pivot_root.
// Paths that do not exist on this kernel are skipped.
void apply(int root_fd, const std::vector<std::string>& masked,
           const std::vector<std::string>& readonly);

}  // namespace vessel::masked_paths
