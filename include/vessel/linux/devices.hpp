// The container's /dev (docs/dev-and-proc.md): a fresh tmpfs holding only the harmless device
// nodes every program expects (null, zero, full, random, urandom, tty), the container's own devpts
// instance (so its ptys are its own), /dev/shm, /dev/mqueue and the fd/stdin/stdout/stderr links.
// Nothing else of the host's /dev exists inside: no disks, no /dev/mem.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace vessel::devices {

struct DeviceNode {
    std::string name;  // under /dev
    mode_t type;       // S_IFCHR or S_IFBLK
    unsigned major, minor;
    mode_t mode;
};

// null 1:3, zero 1:5, full 1:7, random 1:8, urandom 1:9, tty 5:0: what docker and runc create.
const std::vector<DeviceNode>& default_nodes();

// Child side, before pivot_root: builds /dev inside the root.
void setup_dev(int root_fd);

}  // namespace vessel::devices
