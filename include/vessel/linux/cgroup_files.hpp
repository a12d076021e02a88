// Reading and writing cgroup interface files, with every write shown in the --explain trace
// together with a few words on why it is made.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vessel::cgroups {

// Writes `value` to an existing cgroup file (traced with `why`). Throws SysError with a hint.
void write_file(const std::string& path, const std::string& value, std::string_view why);
// mkdir of a cgroup directory (traced with `why`); quiet when it exists. Returns true if it
// created it.
bool make_dir(const std::string& path, std::string_view why);
// rmdir of a cgroup directory, retrying briefly on EBUSY while exiting tasks leave it.
void remove_dir(const std::string& path);
// The pids listed in a cgroup.procs file (empty when the file is gone).
std::vector<pid_t> read_procs(const std::string& path);
// cgroup2's freezer on directory `dir`: writes cgroup.freeze (1 or 0), then waits until
// cgroup.events says "frozen 1" (or 0): the kernel stops the tasks asynchronously. Throws
// SysError, or Error when it does not happen within 5 s.
void freeze_dir(const std::string& dir, bool frozen);
// The "frozen" key of dir/cgroup.events.
bool dir_frozen(const std::string& dir);
// The value of `key` in a flat keyed file like memory.events ("oom_kill 1"), or -1.
long long read_key(const std::string& path, const std::string& key);
// A one-value file such as memory.max or pids.current, without its newline; nullopt when the
// file does not exist.
std::optional<std::string> read_value(const std::string& path);
// A one-number file; nullopt when missing, and for "max" (no limit).
std::optional<int64_t> read_number(const std::string& path);

}  // namespace vessel::cgroups
