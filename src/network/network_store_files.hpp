// Where the network store keeps things, and its locks; shared by network_store.cpp and
// leases.cpp only (private to src/network).
//
//   <data-root>/networks/<name>.json          the record (survives reboots)
//   <data-root>/networks/.lock                flock: creating and removing records
//   <state-root>/.networks/<name>/lock         flock: taking and giving back leases
//   <state-root>/.networks/<name>/leases/<ip>  one lease, JSON
#pragma once

#include <fcntl.h>
#include <sys/file.h>

#include <string>

#include "vessel/util/error.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::network::store_files {

inline std::string records_dir(const std::string& data_root) {
    return data_root + "/networks";
}
inline std::string record_path(const std::string& data_root, const std::string& name) {
    return records_dir(data_root) + "/" + name + ".json";
}
inline std::string runtime_dir(const std::string& state_root, const std::string& name) {
    // A dot directory: the state root's plain subdirectories are containers (ps, rm).
    return state_root + "/.networks/" + name;
}
inline std::string leases_dir(const std::string& state_root, const std::string& name) {
    return runtime_dir(state_root, name) + "/leases";
}

// An exclusive flock(2) held until the returned descriptor closes. flock belongs to the open
// file description, so two threads of one process that each call this exclude each other too.
inline UniqueFd lock_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) throw SysError("cannot open lock " + path, errno);
    while (::flock(fd.get(), LOCK_EX) != 0) {
        if (errno != EINTR) throw SysError("cannot lock " + path, errno);
    }
    return fd;
}

}  // namespace vessel::network::store_files
