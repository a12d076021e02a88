// The device cgroup (docs/masked-paths-and-devices.md): which device nodes the container's
// processes may open or create, whatever nodes exist in their /dev. Without it, root in the
// container (which holds CAP_MKNOD) could mknod the host's disk and read it.
//
//   cgroup v1: the devices controller's files, devices.deny "a" then one devices.allow per rule.
//   cgroup v2: no files; an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE, attached to the
//              container's cgroup, answers each open and mknod (what runc and crun do).
// On a hybrid host both apply: the v1 controller, and the program on the cgroup2 directory.
#pragma once

#include <linux/bpf.h>

#include <vector>

#include "vessel/core/security.hpp"
#include "vessel/linux/cgroups.hpp"

namespace vessel::device_cgroup {

// Parent side, after the cgroup is created and before the child can run.
void apply(const cgroups::Cgroup& cgroup, const std::vector<DeviceRule>& rules);

// The program for `rules`: allow rules in order, everything else denied (a leading deny-all
// rule is the program's fall-through). Exposed for the unit tests.
std::vector<bpf_insn> build_program(const std::vector<DeviceRule>& rules);

// bpf(BPF_PROG_LOAD) + bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE) on the cgroup2 directory `dir`.
void attach_program(const std::string& dir, const std::vector<DeviceRule>& rules);

}  // namespace vessel::device_cgroup
