#include "vessel/linux/cgroup_join.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::cgroups {
namespace {

using explain::Chapter;

UniqueFd open_member_file(const std::string& dir, const char* name) {
    std::string path = dir + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) throw SysError("cannot open " + path, errno, "is the container being removed?");
    return fd;
}

// Writes `pid` to `file` (cgroup.procs or tasks) of `dir`, open as `fd`; 0 means the writer.
void write_pid(int fd, pid_t pid, const std::string& dir, const char* file, const char* why) {
    std::string text = std::to_string(pid);
    long rc = ::write(fd, text.data(), text.size());
    int err = errno;
    explain::traced(
        rc, err, Chapter::kCgroups,
        [&] { return fmt::format("write(\"{}/{}\", \"{}\")", dir, file, pid); }, why);
    if (rc < 0)
        throw SysError(fmt::format("cannot move {} into {}", pid ? std::to_string(pid) : "us", dir),
                       err);
}

}  // namespace

JoinTarget JoinTarget::open(const nlohmann::json& recorded) {
    JoinTarget t;
    if (!recorded.is_object() || !recorded.contains("paths")) return t;
    for (const auto& entry : recorded.at("paths")) {
        const std::string dir = entry.get<std::string>();
        struct statfs st {};
        if (::statfs(dir.c_str(), &st) != 0)
            throw SysError("cannot find the container's cgroup " + dir, errno,
                           "is the container being removed?");
        if (st.f_type == CGROUP2_SUPER_MAGIC && !t.clone_dir_) {
            t.clone_dir_.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
            if (!t.clone_dir_) throw SysError("cannot open cgroup " + dir, errno);
            t.clone_dir_procs_ = {open_member_file(dir, "cgroup.procs"), dir};
        } else {
            t.v1_.push_back({open_member_file(dir, "tasks"), dir});
        }
    }
    return t;
}

void JoinTarget::add(pid_t pid, bool placed_by_clone) const {
    if (clone_dir_ && !placed_by_clone)
        write_pid(clone_dir_procs_.fd.get(), pid, clone_dir_procs_.dir, "cgroup.procs",
                  "into the container's cgroup");
}

void JoinTarget::join_self() const {
    for (const auto& member : v1_)
        write_pid(member.fd.get(), 0, member.dir, "tasks", "we move ourselves: no grace period");
}

}  // namespace vessel::cgroups
