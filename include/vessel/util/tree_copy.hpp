// Copying files and trees between two open directories, never following a symlink on either
// side: every step is openat/mkdirat/symlinkat relative to a directory already held, with
// O_NOFOLLOW. What a container swaps under us while we copy cannot lead the copy elsewhere
// (docs/cp.md). Shared by volume copy-up and `vessel cp`.
#pragma once

#include <string>

namespace vessel::tree_copy {

struct Options {
    bool keep_owner = true;  // chown to the source's uid/gid (cp -a, copy-up); else ours
};

// Copies entry `name` of `from_dir` to `to_name` in `to_dir`. A directory is copied with its
// contents, merged into an existing directory of that name; an existing non-directory is
// replaced. Modes are kept; device nodes and sockets are skipped. Throws SysError.
void copy_entry(int from_dir, const std::string& name, int to_dir, const std::string& to_name,
                const Options& options);

// Copies the entries of `from_dir` into `to_dir` (merging), then gives `to_dir` the mode (and
// with keep_owner the owner) of `from_dir`.
void copy_contents(int from_dir, int to_dir, const Options& options);

}  // namespace vessel::tree_copy
