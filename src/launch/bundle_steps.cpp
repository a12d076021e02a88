#include "vessel/launch/bundle_steps.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/core/oci_config.hpp"
#include "vessel/linux/mounts.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/tree_copy.hpp"

namespace vessel::bundle_steps {

using explain::Chapter;

namespace {

// A readable fd of the directory `path` inside the root, or an empty fd when there is none.
UniqueFd open_dir_in_root(int root_fd, const std::string& path) {
    UniqueFd at;
    try {
        at = mounts::open_in_root(root_fd, path, mounts::Create::kNothing);
    } catch (const Error&) {
        return {};  // nothing there yet: nothing to copy
    }
    // An O_PATH fd serves as the dirfd of openat: "." reopens it for reading, no /proc needed.
    return UniqueFd(::openat(at.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

}  // namespace

UniqueFd bind_root(const std::string& rootfs, const std::string& target) {
    mounts::mount(rootfs.c_str(), target, nullptr, MS_BIND | MS_REC, nullptr, Chapter::kFilesystem,
                  fmt::format("the bundle's root {} as is: no overlay", explain::quote(rootfs)));
    return fs::open_dir(target);
}

void apply_mounts(int root_fd, const std::vector<OciMount>& list) {
    for (const auto& m : list) {
        const oci::MountOptions o = oci::mount_options(m.options);
        const bool bind = o.bind() || m.type == "bind";
        const std::string why = "config.json mount " + explain::quote(m.destination);
        if (bind) {
            struct stat st {};
            if (::stat(m.source.c_str(), &st) != 0)
                throw SysError("cannot bind " + m.source + " into the container", errno);
            const auto create =
                S_ISDIR(st.st_mode) ? mounts::Create::kDirectory : mounts::Create::kFile;
            mounts::mount_in_root(root_fd, m.source.c_str(), m.destination, nullptr,
                                  MS_BIND | (o.flags & MS_REC), nullptr, Chapter::kFilesystem, why,
                                  create);
            // A bind mount takes its flags (ro, nosuid, ...) only from a remount.
            const unsigned long extra = o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
            if (extra)
                mounts::mount_in_root(root_fd, nullptr, m.destination, nullptr,
                                      MS_REMOUNT | MS_BIND | extra, nullptr, Chapter::kFilesystem,
                                      why + ": its flags", mounts::Create::kNothing);
        } else {
            // tmpcopyup: the directory the tmpfs will hide, held open so that its files can be
            // copied into the tmpfs once mounted (runc's and crun's option; podman sets it).
            UniqueFd below;
            if (o.tmpcopyup && m.type == "tmpfs") below = open_dir_in_root(root_fd, m.destination);
            mounts::mount_in_root(root_fd, m.source.empty() ? m.type.c_str() : m.source.c_str(),
                                  m.destination, m.type.c_str(), o.flags,
                                  o.data.empty() ? nullptr : o.data.c_str(), Chapter::kFilesystem,
                                  why);
            if (below) {
                UniqueFd tmpfs = open_dir_in_root(root_fd, m.destination);
                if (!tmpfs) throw Error("cannot open the tmpfs mounted on " + m.destination);
                tree_copy::copy_contents(below.get(), tmpfs.get(), {.keep_owner = true});
                explain::step(Chapter::kFilesystem, "copy " + explain::quote(m.destination), "done",
                              "tmpcopyup: the tmpfs starts with the image's files");
            }
        }
        if (o.propagation)
            mounts::mount_in_root(root_fd, nullptr, m.destination, nullptr, o.propagation, nullptr,
                                  Chapter::kFilesystem, why + ": its propagation",
                                  mounts::Create::kNothing);
    }
}

void apply_sysctl(int root_fd, const std::vector<std::pair<std::string, std::string>>& sysctl) {
    for (const auto& [key, value] : sysctl) {
        std::string path = "/proc/sys/" + key;
        for (size_t i = 10; i < path.size(); ++i)
            if (path[i] == '.') path[i] = '/';
        UniqueFd at = mounts::open_in_root(root_fd, path, mounts::Create::kNothing);
        UniqueFd file(
            ::open(fmt::format("/proc/self/fd/{}", at.get()).c_str(), O_WRONLY | O_CLOEXEC));
        if (!file) throw SysError("cannot open " + path + " for linux.sysctl", errno);
        long rc = ::write(file.get(), value.data(), value.size());
        int err = errno;
        explain::syscall(Chapter::kNamespaces,
                         fmt::format("write({}, {})", explain::quote(path), explain::quote(value)),
                         rc, err, "linux.sysctl, in the container's own namespaces");
        if (rc < 0) throw SysError("cannot set " + key + " (linux.sysctl)", err);
    }
}

UniqueFd open_exec_fifo(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_PATH | O_CLOEXEC));
    if (!fd) throw SysError("cannot open the exec fifo " + path, errno);
    return fd;
}

void wait_for_start(int fifo, const handshake::ChildEnd& channel) {
    // The creator exits as soon as it hears kCreated; its death must not kill us. The engine
    // that called `create` (a subreaper) becomes our parent and reaps us.
    ::prctl(PR_SET_PDEATHSIG, 0);
    channel.send_created();
    // Through /proc/self/fd: the fifo's path is outside our root now. open(O_WRONLY) blocks
    // until `vessel-oci start` opens the other end.
    UniqueFd end(::open(fmt::format("/proc/self/fd/{}", fifo).c_str(), O_WRONLY | O_CLOEXEC));
    int err = errno;
    explain::syscall(Chapter::kLifecycle, "open(exec.fifo, O_WRONLY)", end ? 0 : -1, err,
                     "blocks until `start` opens the fifo for reading");
    if (!end) throw SysError("cannot open the exec fifo", err);
    if (::write(end.get(), "0", 1) != 1) throw SysError("cannot write the exec fifo", errno);
}

void set_domainname(const std::string& domainname) {
    explain::checked(
        ::setdomainname(domainname.data(), domainname.size()), Chapter::kNamespaces,
        [&] { return fmt::format("setdomainname({})", explain::quote(domainname)); },
        "config.json's domainname, in the container's own uts namespace", "setdomainname");
}

void set_oom_score_adj(int adj) {
    fs::write_file("/proc/self/oom_score_adj", std::to_string(adj));
    explain::step(Chapter::kProcess, fmt::format("write(/proc/self/oom_score_adj, {})", adj), "0",
                  "process.oomScoreAdj");
}

}  // namespace vessel::bundle_steps
