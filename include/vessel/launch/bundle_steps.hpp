// The child's steps that only an OCI bundle asks for (docs/oci.md), kept apart so that `vessel
// run`'s steps read as before. Each is a KernelSteps step (kernel_steps.hpp), taken by
// build_container and start_process only when the spec asks for it.
//
//   bind_root         the bundle's root, bound as is, instead of an overlay of an image
//   apply_mounts      config.json's mounts (bind, tmpfs, ...) beyond vessel's /proc, /sys, /dev
//   apply_sysctl      linux.sysctl, written through the container's own /proc/sys
//   open_exec_fifo    before pivot_root: the fifo `vessel-oci start` opens
//   wait_for_start    the "created" state: tell the creator, then block on the fifo
//   set_domainname    domainname (uts namespace)
//   set_oom_score_adj process.oomScoreAdj
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "vessel/core/spec.hpp"
#include "vessel/launch/handshake.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::bundle_steps {

// Binds `rootfs` (MS_BIND|MS_REC) onto `target` and returns an fd of it.
UniqueFd bind_root(const std::string& rootfs, const std::string& target);

// Before pivot_root: host paths (bind sources) are still reachable. Throws SysError.
void apply_mounts(int root_fd, const std::vector<OciMount>& mounts);

// After /proc is mounted in the root. Throws SysError.
void apply_sysctl(int root_fd, const std::vector<std::pair<std::string, std::string>>& sysctl);

// O_PATH, close-on-exec: opened by path while the host's filesystem is still visible.
UniqueFd open_exec_fifo(const std::string& path);

// Clears the parent-death signal (the creator exits right after), sends kCreated, then opens
// the fifo for writing, which blocks until `start` opens it for reading, and writes one byte.
void wait_for_start(int fifo, const handshake::ChildEnd& channel);

void set_domainname(const std::string& domainname);

void set_oom_score_adj(int adj);

}  // namespace vessel::bundle_steps
