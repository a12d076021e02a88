// Mounting inside a root that the container's image controls (docs/filesystem.md).
//
// An image may hold symlinks anywhere, e.g. /proc -> /etc or /dev -> /../../host. A naive
// mount("proc", rootfs + "/proc") follows them out of the rootfs on the host. So every target is
// first opened with openat2(RESOLVE_IN_ROOT), which resolves "/", ".." and symlinks as if rootfs
// were "/", and the mount is made on the opened file through /proc/self/fd/N.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "vessel/util/explain.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::mounts {

enum class Create { kNothing, kDirectory, kFile };

// Opens `path` (relative to the root, leading '/' allowed) inside `root_fd`, never leaving it,
// creating it (and missing parents) as a directory or an empty file when asked. O_PATH fd.
UniqueFd open_in_root(int root_fd, std::string_view path, Create create);

// mount(2) onto `path` inside the root. `data` may be null. Traced, throws SysError.
void mount_in_root(int root_fd, const char* source, std::string_view path, const char* fstype,
                   unsigned long flags, const char* data, explain::Chapter chapter,
                   std::string_view why, Create create = Create::kDirectory);

// mount(2) with plain paths, for mounts outside any root (traced, throws SysError).
void mount(const char* source, const std::string& target, const char* fstype, unsigned long flags,
           const char* data, explain::Chapter chapter, std::string_view why);

// "MS_NOSUID|MS_NODEV|MS_RDONLY" for the trace.
std::string describe_flags(unsigned long flags);

}  // namespace vessel::mounts
