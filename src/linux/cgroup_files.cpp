#include "vessel/linux/cgroup_files.hpp"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sstream>

#include <fmt/format.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::cgroups {

using explain::Chapter;

void write_file(const std::string& path, const std::string& value) {
    try {
        fs::write_file(path, value);
    } catch (const SysError& e) {
        explain::syscall(Chapter::kCgroups,
                         fmt::format("write({}, {})", explain::quote(path), explain::quote(value)),
                         -1, e.err(), "");
        throw SysError(fmt::format("cannot write \"{}\" to {}", value, path), e.err(),
                       e.err() == EINVAL || e.err() == ERANGE
                           ? "the kernel rejected this value"
                           : e.err() == EBUSY ? "the cgroup is in use" : "");
    }
    explain::syscall(Chapter::kCgroups,
                     fmt::format("write({}, {})", explain::quote(path), explain::quote(value)),
                     static_cast<long>(value.size()), 0, "");
}

bool make_dir(const std::string& path) {
    long rc = ::mkdir(path.c_str(), 0755);
    int err = errno;
    if (rc != 0 && err == EEXIST) return false;
    explain::syscall(Chapter::kCgroups, fmt::format("mkdir({}, 0755)", explain::quote(path)), rc,
                     err, "");
    if (rc != 0) throw SysError("cannot create cgroup " + path, err);
    return true;
}

void remove_dir(const std::string& path) {
    // A task that has exited may hold its cgroup for a moment after it was reaped.
    for (int attempt = 0; attempt < 200; ++attempt) {
        if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return;
        if (errno != EBUSY) throw SysError("cannot remove cgroup " + path, errno);
        timespec pause{0, 5'000'000};
        ::nanosleep(&pause, nullptr);
    }
    throw SysError("cannot remove cgroup " + path, EBUSY, "processes are still in it");
}

std::vector<pid_t> read_procs(const std::string& path) {
    std::vector<pid_t> pids;
    std::optional<std::string> text;
    try {
        text = fs::try_read_file(path);
    } catch (const SysError&) {
        return pids;
    }
    if (!text) return pids;
    std::istringstream in(*text);
    pid_t pid;
    while (in >> pid) pids.push_back(pid);
    return pids;
}

long long read_key(const std::string& path, const std::string& key) {
    std::optional<std::string> text;
    try {
        text = fs::try_read_file(path);
    } catch (const SysError&) {
        return -1;
    }
    if (!text) return -1;
    std::istringstream in(*text);
    std::string name;
    long long value;
    while (in >> name >> value) {
        if (name == key) return value;
    }
    return -1;
}

}  // namespace vessel::cgroups
