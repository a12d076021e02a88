#include "vessel/linux/devices.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/linux/mounts.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::devices {

using explain::Chapter;
using mounts::Create;

const std::vector<DeviceNode>& default_nodes() {
    static const std::vector<DeviceNode> nodes = {
        {"null", S_IFCHR, 1, 3, 0666},   {"zero", S_IFCHR, 1, 5, 0666},
        {"full", S_IFCHR, 1, 7, 0666},   {"random", S_IFCHR, 1, 8, 0666},
        {"urandom", S_IFCHR, 1, 9, 0666}, {"tty", S_IFCHR, 5, 0, 0666},
    };
    return nodes;
}

namespace {

void make_node(int dev_fd, const DeviceNode& node) {
    long rc = ::mknodat(dev_fd, node.name.c_str(), node.type | node.mode,
                        makedev(node.major, node.minor));
    int err = errno;
    explain::syscall(Chapter::kDevProc,
                     fmt::format("mknodat(dev, \"{}\", {}|{:04o}, makedev({}, {}))", node.name,
                                 node.type == S_IFCHR ? "S_IFCHR" : "S_IFBLK", node.mode,
                                 node.major, node.minor),
                     rc, err, "a harmless device node");
    if (rc == 0) return;
    if (err != EPERM) throw SysError("cannot create /dev/" + node.name, err);
    // Without CAP_MKNOD in the initial user namespace (user namespaces), bind the host's node.
    check(::mknodat(dev_fd, node.name.c_str(), S_IFREG | 0644, 0), "create /dev/" + node.name);
    std::string host = "/dev/" + node.name;
    std::string target = fmt::format("/proc/self/fd/{}", dev_fd);
    UniqueFd file(::openat(dev_fd, node.name.c_str(), O_PATH | O_CLOEXEC | O_NOFOLLOW));
    if (!file) throw SysError("cannot open /dev/" + node.name, errno);
    mounts::mount(host.c_str(), fmt::format("/proc/self/fd/{}", file.get()), nullptr, MS_BIND,
                  nullptr, Chapter::kDevProc, "bind the host's node (no mknod here)");
}

void make_link(int dev_fd, const char* target, const char* name) {
    long rc = ::symlinkat(target, dev_fd, name);
    int err = errno;
    explain::syscall(Chapter::kDevProc, fmt::format("symlinkat(\"{}\", dev, \"{}\")", target, name),
                     rc, err, "");
    if (rc != 0 && err != EEXIST) throw SysError(fmt::format("cannot create /dev/{}", name), err);
}

}  // namespace

void setup_dev(int root_fd) {
    mounts::mount_in_root(root_fd, "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                          "mode=755,size=65536k", Chapter::kDevProc, "an empty /dev of our own");
    // Reopen: the fd from before the mount names the directory underneath it.
    UniqueFd dev = mounts::open_in_root(root_fd, "/dev", Create::kNothing);
    for (const auto& node : default_nodes()) make_node(dev.get(), node);

    mounts::mount_in_root(root_fd, "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                          "newinstance,ptmxmode=0666,mode=0620", Chapter::kDevProc,
                          "ptys of our own, not the host's");
    make_link(dev.get(), "pts/ptmx", "ptmx");
    mounts::mount_in_root(root_fd, "shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          "mode=1777,size=65536k", Chapter::kDevProc, "POSIX shared memory");
    mounts::mount_in_root(root_fd, "mqueue", "/dev/mqueue", "mqueue",
                          MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr, Chapter::kDevProc,
                          "message queues of our IPC namespace");
    make_link(dev.get(), "/proc/self/fd", "fd");
    make_link(dev.get(), "/proc/self/fd/0", "stdin");
    make_link(dev.get(), "/proc/self/fd/1", "stdout");
    make_link(dev.get(), "/proc/self/fd/2", "stderr");
}

}  // namespace vessel::devices
