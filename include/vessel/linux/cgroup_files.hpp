// Reading and writing cgroup interface files, with every write shown in the --explain trace.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace vessel::cgroups {

// Writes `value` to an existing cgroup file (traced). Throws SysError with a hint.
void write_file(const std::string& path, const std::string& value);
// mkdir of a cgroup directory (traced); quiet when it exists. Returns true if it created it.
bool make_dir(const std::string& path);
// rmdir of a cgroup directory, retrying briefly on EBUSY while exiting tasks leave it.
void remove_dir(const std::string& path);
// The pids listed in a cgroup.procs file (empty when the file is gone).
std::vector<pid_t> read_procs(const std::string& path);
// The value of `key` in a flat keyed file like memory.events ("oom_kill 1"), or -1.
long long read_key(const std::string& path, const std::string& key);

}  // namespace vessel::cgroups
