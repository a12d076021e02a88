// Docker's copy-up: a new, empty volume mounted where the image has files first gets a copy of
// them, owners, modes and symlinks kept, so `-v data:/var/lib/app` starts with the image's data
// instead of hiding it (docs/mounts.md).
#pragma once

#include <string>

namespace vessel::volumes {

// Copies the contents of directory `from_dir` (an open fd) into the existing directory `to`,
// and gives `to` the mode and owner of `from_dir`. Regular files, directories, symlinks and
// fifos; other entries (device nodes, sockets) are skipped. Never follows a symlink. Throws
// SysError.
void copy_up(int from_dir, const std::string& to);

}  // namespace vessel::volumes
