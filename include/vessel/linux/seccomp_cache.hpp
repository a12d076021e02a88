// Compiled seccomp programs, kept between starts (docs/seccomp.md, docs/performance.md).
//
// Compiling Docker's profile with libseccomp takes about 10 ms, more than everything else a
// start does together; loading the finished program takes under 1 ms. The program depends only
// on the profile's text, the container's capabilities, the architecture and the kernel version
// (Docker's profile enables some calls from a minimum kernel on), and on the libseccomp and
// vessel that compiled it. So the first start compiles it and keeps it under
// <state root>/.cache/seccomp/<key>.bpf, named by a hash of all of those; every later start with
// the same inputs loads it. The file carries a checksum: a torn one is compiled afresh.
//
// Each container also keeps its own program in its state directory (seccomp.bpf, a hard link to
// the cache file when there is one), so that `vessel exec` loads the very filter `run` loaded,
// even after the cache was removed or the profile changed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vessel/core/capability_set.hpp"
#include "vessel/core/seccomp_profile.hpp"
#include "vessel/linux/seccomp.hpp"

namespace vessel::seccomp_cache {

// <state root>/.cache/seccomp
std::string directory(const std::string& state_root);

// The file name for a program built from these inputs ("<16 hex digits>.bpf").
std::string file_name(std::string_view profile_text, caps::Mask capabilities,
                      const seccomp_profile::Platform& platform);

// The cached program at `path`, or nullopt when there is none or it is damaged.
std::optional<seccomp::Program> load(const std::string& path);

// Stores `program` at `path` (atomically, creating the directory). Failing to cache is not an
// error for the container: it returns false and the next start compiles again.
bool store(const std::string& path, const seccomp::Program& program);

// In a container's state directory: its compiled seccomp program.
inline constexpr const char* kKeptName = "seccomp.bpf";

// Keeps `program` in `state_dir` for `vessel exec`: a hard link to `cached_file` when there is
// one (no bytes to write), else a copy. Throws SysError.
void keep(const std::string& state_dir, const seccomp::Program& program,
          const std::string& cached_file);

// The program keep() kept, or nullopt when it is missing or damaged (then exec compiles it).
std::optional<seccomp::Program> load_kept(const std::string& state_dir);

}  // namespace vessel::seccomp_cache
