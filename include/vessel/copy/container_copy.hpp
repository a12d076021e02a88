// `vessel cp` between a container and the host (docs/cp.md). Container paths are resolved with
// openat2(RESOLVE_IN_ROOT) against the container's root, and the copy itself only ever works on
// directories it holds open, with O_NOFOLLOW: a symlink in the container, even one swapped in
// while the copy runs, cannot lead it to the host's files (CVE-2018-15664). Nothing is loaded
// from the container and no name service is asked (CVE-2019-14271): owners are copied as numbers.
//
// A running container's root is /proc/PID/root of its PID 1. A stopped one's is its overlay,
// mounted with the container's own mounts (volumes, binds) in a short-lived helper with a private
// mount namespace, gone when the copy ends.
#pragma once

#include <string>

#include "vessel/core/state.hpp"

namespace vessel::copy {

struct Request {
    std::string id;              // the container
    std::string container_path;  // absolute, inside it
    std::string host_path;
    bool to_container = false;  // host -> container
    bool archive = false;       // -a: keep uid/gid
};

// Returns 0, or 125 after printing the reason. Throws Error for what is found before starting.
int run(const StateStore& store, const Request& request);

}  // namespace vessel::copy
