#include "vessel/linux/devices.hpp"

#include <dirent.h>
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
        {"null", S_IFCHR, 1, 3, 0666},    {"zero", S_IFCHR, 1, 5, 0666},
        {"full", S_IFCHR, 1, 7, 0666},    {"random", S_IFCHR, 1, 8, 0666},
        {"urandom", S_IFCHR, 1, 9, 0666}, {"tty", S_IFCHR, 5, 0, 0666},
    };
    return nodes;
}

namespace {

void make_node(int dev_fd, const DeviceNode& node, const std::string& host_path = "") {
    long rc = ::mknodat(dev_fd, node.name.c_str(), node.type | node.mode,
                        makedev(node.major, node.minor));
    int err = errno;
    explain::syscall(Chapter::kDevProc,
                     fmt::format("mknodat(dev, \"{}\", {}|{:04o}, makedev({}, {}))", node.name,
                                 node.type == S_IFCHR ? "S_IFCHR" : "S_IFBLK", node.mode,
                                 node.major, node.minor),
                     rc, err, "a harmless device node");
    if (rc == 0 || err == EEXIST) return;
    if (err != EPERM) throw SysError("cannot create /dev/" + node.name, err);
    // Without CAP_MKNOD in the initial user namespace (user namespaces), bind the host's node.
    check(::mknodat(dev_fd, node.name.c_str(), S_IFREG | 0644, 0), "create /dev/" + node.name);
    std::string host = host_path.empty() ? "/dev/" + node.name : host_path;
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

std::vector<DeviceNode> resolve_requests(const std::vector<DeviceRequest>& requests) {
    std::vector<DeviceNode> nodes;
    for (const auto& r : requests) {
        struct stat st {};
        if (::stat(r.host.c_str(), &st) != 0)
            throw SysError("--device " + r.host + ": cannot use it", errno);
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
            throw Error("--device " + r.host + " is not a character or block device");
        nodes.push_back({r.container.substr(5), st.st_mode & S_IFMT, major(st.st_rdev),
                         minor(st.st_rdev), static_cast<mode_t>(st.st_mode & 07777), r.host});
    }
    return nodes;
}

namespace {

void walk_host_dev(const std::string& dir, const std::string& prefix,
                   std::vector<DeviceNode>& out) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == ".." || name.starts_with(".")) continue;
        std::string rel = prefix + name;
        if (rel == "pts" || rel == "shm" || rel == "mqueue" || rel == "ptmx" || rel == "console")
            continue;
        struct stat st {};
        if (::lstat((dir + "/" + name).c_str(), &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            walk_host_dev(dir + "/" + name, rel + "/", out);
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            out.push_back({rel, st.st_mode & S_IFMT, major(st.st_rdev), minor(st.st_rdev),
                           static_cast<mode_t>(st.st_mode & 07777), "/dev/" + rel});
        }
    }
    ::closedir(d);
}

}  // namespace

std::vector<DeviceNode> host_devices() {
    std::vector<DeviceNode> out;
    walk_host_dev("/dev", "", out);
    return out;
}

std::vector<DeviceRule> rules_for(const std::vector<DeviceNode>& nodes,
                                  const std::vector<DeviceRequest>& requests) {
    std::vector<DeviceRule> rules;
    for (size_t i = 0; i < nodes.size(); ++i) {
        const auto& n = nodes[i];
        rules.push_back({n.type == S_IFBLK ? 'b' : 'c', static_cast<int64_t>(n.major),
                         static_cast<int64_t>(n.minor),
                         i < requests.size() ? requests[i].access : "rwm", true});
    }
    return rules;
}

void add_nodes(int root_fd, const std::vector<DeviceNode>& nodes) {
    for (const auto& node : nodes) {
        std::string name = node.name;
        std::string parent = "/dev";
        if (auto slash = name.rfind('/'); slash != std::string::npos) {
            parent += "/" + name.substr(0, slash);
            name = name.substr(slash + 1);
        }
        UniqueFd dir = mounts::open_in_root(root_fd, parent, Create::kDirectory);
        UniqueFd real(::openat(dir.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!real) throw SysError("cannot open " + parent + " in the container", errno);
        DeviceNode local = node;
        local.name = name;
        make_node(real.get(), local, node.host.empty() ? "/dev/" + node.name : node.host);
    }
}

}  // namespace vessel::devices
