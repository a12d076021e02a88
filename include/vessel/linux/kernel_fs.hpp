// /proc and /sys inside the container (docs/dev-and-proc.md). /proc is a new instance, so it
// shows the processes of the container's pid namespace only; /sys is read-only, because its
// files can change the host's hardware and kernel.
#pragma once

namespace vessel::kernel_fs {

// Child side, before pivot_root (a proc mount in a user namespace needs a visible /proc).
void mount_proc(int root_fd);
void mount_sys(int root_fd);

}  // namespace vessel::kernel_fs
