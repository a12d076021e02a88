// Small file helpers used across vessel. Everything that deletes walks with *at() calls and never
// follows a symlink, because the trees it deletes (a container's upper layer) were written by the
// container and may hold links pointing anywhere on the host.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "vessel/util/unique_fd.hpp"

namespace vessel::fs {

// The whole file as a string. Throws SysError.
std::string read_file(const std::string& path);
// Like read_file, but std::nullopt when the file does not exist.
std::optional<std::string> try_read_file(const std::string& path);
std::string read_file_at(int dirfd, const std::string& path);
// Everything readable from an open descriptor.
std::string read_fd(int fd, const std::string& what);

// Writes `data` to an existing file (no O_CREAT), as cgroup and /proc files want. Throws SysError.
void write_file(const std::string& path, std::string_view data);

// Writes to `path` atomically: a temp file in the same directory, fsync, rename over the old one.
// A reader sees the old or the new content, never half of one.
void write_file_atomic(const std::string& path, std::string_view data, mode_t mode = 0600);

// mkdir that is quiet when the directory already exists.
void ensure_dir(const std::string& path, mode_t mode = 0755);
// mkdir -p: every missing parent too, each with `mode`.
void ensure_dirs(const std::string& path, mode_t mode = 0755);

// rm -rf without following symlinks. Missing `path` is not an error.
void remove_tree(const std::string& path);

// Whether `path` exists (lstat, no symlink following).
bool exists(const std::string& path);

// Absolute, symlink-free form of `path`. Throws SysError.
std::string real_path(const std::string& path);

UniqueFd open_dir(const std::string& path, int extra_flags = 0);

}  // namespace vessel::fs
