// What `vessel info` reports about the machine: the kernel, the cgroup layout, seccomp. Read
// here (launch/ may ask linux/), printed by cli/info.cpp.
#pragma once

#include <string>

namespace vessel::host_info {

struct Facts {
    std::string kernel;         // uname -r
    std::string os;             // PRETTY_NAME of /etc/os-release
    std::string cgroup_layout;  // unified (v2), hybrid, legacy (v1)
    bool seccomp = false;       // the kernel filters system calls (Seccomp: in /proc/self/status)
    int cpus = 0;
    long long memory_bytes = 0;
};

Facts read();

}  // namespace vessel::host_info
