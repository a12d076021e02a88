// The container's view of its own cgroups: read-only mounts at /sys/fs/cgroup, made by the child
// inside its cgroup namespace so that the container sees its own cgroup as the root, and can
// read its limits and usage but change nothing (docs/cgroups.md). Read-only matters: a writable
// v1 hierarchy lets root in a container set release_agent and run a program on the host
// (CVE-2022-0492).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vessel::cgroups::view {

// One cgroup v1 hierarchy as the container sees it: /sys/fs/cgroup/<dir>, mounted with
// `options` ("memory", "cpu,cpuacct"), plus a symlink per co-mounted controller ("cpu" ->
// "cpu,cpuacct"), as on the host.
struct V1Hierarchy {
    std::string dir;
    std::string options;
    std::vector<std::string> links;
};

// cgroup v2: one read-only cgroup2 mount at <root>/sys/fs/cgroup.
void mount_unified(int root_fd);

// cgroup v1: a tmpfs at <root>/sys/fs/cgroup holding a read-only mount per hierarchy, and in
// the hybrid layout the cgroup2 tree at /sys/fs/cgroup/unified; the tmpfs is then made
// read-only too.
void mount_v1(int root_fd, const std::vector<V1Hierarchy>& hierarchies, bool hybrid);

// The controllers of the cgroup v1 mount at `mount_point` as /proc/self/mountinfo lists them
// ("cpu,cpuacct"; "name=systemd"); nullopt when there is no cgroup v1 mount there.
std::optional<std::string> v1_options_from_mountinfo(const std::string& mountinfo,
                                                     const std::string& mount_point);

}  // namespace vessel::cgroups::view
