#include "vessel/linux/cgroup_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sstream>

#include <fmt/format.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::cgroups {

using explain::Chapter;

namespace {

// One write(2) of the whole value, as the kernel wants a cgroup value. O_TRUNC, as a shell's
// `echo 50 > pids.max` does: cgroupfs ignores it, and a fake tree in a temp dir (the unit
// tests) then holds exactly the last value written.
void write_value(const std::string& path, const std::string& value) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd) throw SysError("cannot open " + path, errno);
    ssize_t n;
    do {
        n = ::write(fd.get(), value.data(), value.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw SysError("cannot write " + path, errno);
    if (static_cast<size_t>(n) != value.size()) throw SysError("short write to " + path, EIO);
}

}  // namespace

void write_file(const std::string& path, const std::string& value, std::string_view why) {
    try {
        write_value(path, value);
    } catch (const SysError& e) {
        explain::syscall(Chapter::kCgroups,
                         fmt::format("write({}, {})", explain::quote(path), explain::quote(value)),
                         -1, e.err(), why);
        throw SysError(fmt::format("cannot write \"{}\" to {}", value, path), e.err(),
                       e.err() == EINVAL || e.err() == ERANGE ? "the kernel rejected this value"
                       : e.err() == EBUSY                     ? "the cgroup is in use"
                                                              : "");
    }
    explain::syscall(Chapter::kCgroups,
                     fmt::format("write({}, {})", explain::quote(path), explain::quote(value)),
                     static_cast<long>(value.size()), 0, why);
}

bool make_dir(const std::string& path, std::string_view why) {
    long rc = ::mkdir(path.c_str(), 0755);
    int err = errno;
    if (rc != 0 && err == EEXIST) return false;
    explain::syscall(Chapter::kCgroups, fmt::format("mkdir({}, 0755)", explain::quote(path)), rc,
                     err, why);
    if (rc != 0) throw SysError("cannot create cgroup " + path, err);
    return true;
}

void remove_dir(const std::string& path) {
    // A task that has exited may hold its cgroup for a moment after it was reaped.
    for (int attempt = 0; attempt < 200; ++attempt) {
        if (::rmdir(path.c_str()) == 0) {
            explain::syscall(Chapter::kCgroups, fmt::format("rmdir({})", explain::quote(path)), 0,
                             0, "the cgroup goes with its container");
            return;
        }
        if (errno == ENOENT) return;
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

void freeze_dir(const std::string& dir, bool frozen) {
    write_file(dir + "/cgroup.freeze", frozen ? "1" : "0",
               frozen ? "freeze every process of the container (pause)"
                      : "thaw every process of the container (resume)");
    for (int i = 0; i < 5000; ++i) {
        if (dir_frozen(dir) == frozen) return;
        timespec pause{0, 1'000'000};
        ::nanosleep(&pause, nullptr);
    }
    throw Error("cgroup " + dir + " did not " + (frozen ? "freeze" : "thaw") + " within 5 s");
}

bool dir_frozen(const std::string& dir) {
    return read_key(dir + "/cgroup.events", "frozen") == 1;
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

std::optional<std::string> read_value(const std::string& path) {
    std::optional<std::string> text;
    try {
        text = fs::try_read_file(path);
    } catch (const SysError&) {
        return std::nullopt;  // e.g. ENODEV while the cgroup is being removed
    }
    if (!text) return std::nullopt;
    while (!text->empty() && (text->back() == '\n' || text->back() == ' ')) text->pop_back();
    return text;
}

std::optional<int64_t> read_number(const std::string& path) {
    auto text = read_value(path);
    if (!text || *text == "max") return std::nullopt;
    try {
        size_t used = 0;
        long long value = std::stoll(*text, &used);
        if (used != text->size()) return std::nullopt;
        return value;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace vessel::cgroups
