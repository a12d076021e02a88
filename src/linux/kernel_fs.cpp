#include "vessel/linux/kernel_fs.hpp"

#include <sys/mount.h>

#include "vessel/linux/mounts.hpp"

namespace vessel::kernel_fs {

using explain::Chapter;

void mount_proc(int root_fd) {
    mounts::mount_in_root(root_fd, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          nullptr, Chapter::kDevProc, "a /proc that sees only our pid namespace");
}

void mount_sys(int root_fd) {
    mounts::mount_in_root(root_fd, "sysfs", "/sys", "sysfs",
                          MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr, Chapter::kDevProc,
                          "read-only: /sys can change the host");
}

}  // namespace vessel::kernel_fs
