// The container's /dev (docs/dev-and-proc.md): a fresh tmpfs holding only the harmless device
// nodes every program expects (null, zero, full, random, urandom, tty), the container's own devpts
// instance (so its ptys are its own), /dev/shm, /dev/mqueue and the fd/stdin/stdout/stderr links.
// Nothing else of the host's /dev exists inside: no disks, no /dev/mem.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "vessel/core/security.hpp"

namespace vessel::devices {

struct DeviceNode {
    std::string name;  // under /dev
    mode_t type;       // S_IFCHR or S_IFBLK
    unsigned major, minor;
    mode_t mode;
    std::string host =
        {};  // the host's node, when it is bound rather than made (default: /dev/NAME)
};

// null 1:3, zero 1:5, full 1:7, random 1:8, urandom 1:9, tty 5:0: what docker and runc create.
const std::vector<DeviceNode>& default_nodes();

// Child side, before pivot_root: builds /dev inside the root.
void setup_dev(int root_fd);

// Parent side: the host's node behind each --device (it must be a character or block device),
// named by its path in the container relative to /dev ("xvdb", "net/tun"). Throws Error (125).
std::vector<DeviceNode> resolve_requests(const std::vector<DeviceRequest>& requests);
// Parent side, --privileged: every character and block device under the host's /dev (not pts,
// shm, mqueue), as docker gives a privileged container.
std::vector<DeviceNode> host_devices();
// The device cgroup rules that let the container use `nodes` with `access` ("rwm").
std::vector<DeviceRule> rules_for(const std::vector<DeviceNode>& nodes,
                                  const std::vector<DeviceRequest>& requests);

// Child side, after setup_dev: creates `nodes` in the container's /dev (mknod, or a bind of the
// host's node where mknod is not allowed, as in a user namespace). Existing names are kept.
void add_nodes(int root_fd, const std::vector<DeviceNode>& nodes);

}  // namespace vessel::devices
