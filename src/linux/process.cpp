#include "vessel/linux/process.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::process {

std::optional<uint64_t> start_time(pid_t pid) {
    std::optional<std::string> stat;
    try {
        stat = fs::try_read_file("/proc/" + std::to_string(pid) + "/stat");
    } catch (const SysError&) {
        return std::nullopt;  // ESRCH while reading: it just died
    }
    if (!stat) return std::nullopt;
    // The command name (field 2) is in parentheses and may itself contain spaces and ')'.
    size_t pos = stat->rfind(')');
    if (pos == std::string::npos) return std::nullopt;
    // After ") " come fields 3, 4, ...: skip 19 of them to reach field 22.
    const char* p = stat->c_str() + pos + 2;
    for (int field = 3; field < 22 && *p; ++field) {
        while (*p && *p != ' ') ++p;
        while (*p == ' ') ++p;
    }
    return std::strtoull(p, nullptr, 10);
}

ProcessIdentity identify(pid_t pid) {
    return {pid, start_time(pid).value_or(0)};
}

bool is_alive(const ProcessIdentity& id) {
    if (id.pid <= 0) return false;
    auto now = start_time(id.pid);
    return now && *now == id.start_time;
}

UniqueFd open_pidfd(const ProcessIdentity& id) {
    if (id.pid <= 0) return UniqueFd();
    UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, id.pid, 0)));
    // Check the identity after opening: from here on the fd pins the process, so a pid that
    // was recycled before pidfd_open is caught, and none can be recycled after.
    if (fd && !is_alive(id)) fd.reset();
    return fd;
}

// glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++, so the raw system calls are used.
bool send_signal(int pidfd, int sig) {
    return ::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) == 0;
}

int exit_code_from_siginfo(int code, int status) {
    if (code == CLD_EXITED) return status;
    return exit_code::kSignalBase + status;  // CLD_KILLED or CLD_DUMPED
}

int wait_exit_code(int pidfd) {
    siginfo_t info{};
    while (::waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED) != 0) {
        if (errno != EINTR) throw SysError("waitid", errno);
    }
    return exit_code_from_siginfo(info.si_code, info.si_status);
}

}  // namespace vessel::process
