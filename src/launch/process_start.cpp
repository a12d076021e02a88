#include "vessel/launch/process_start.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <optional>

#include <fmt/format.h>

#include "vessel/linux/inherited_fds.hpp"
#include "vessel/linux/mounts.hpp"
#include "vessel/linux/signals.hpp"
#include "vessel/linux/terminal.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel {
namespace {

using explain::Chapter;

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    for (auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

}  // namespace

void report_and_exit(const Channel& channel, int code, int err, const std::string& text) {
    try {
        channel.send(Message::kError, code, err, text);
    } catch (...) {
        // The parent is gone; nobody is left to tell.
    }
    ::_exit(code);
}

void report_exception_and_exit(const Channel& channel) {
    try {
        throw;
    } catch (const Error& e) {
        auto* sys = dynamic_cast<const SysError*>(&e);
        report_and_exit(channel, e.exit_code(), sys ? sys->err() : 0, e.what());
    } catch (const std::exception& e) {
        report_and_exit(channel, exit_code::kRuntimeError, 0, e.what());
    } catch (...) {
        report_and_exit(channel, exit_code::kRuntimeError, 0, "unknown error");
    }
}

void rearm_parent_death_signal(const Channel& to_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    pollfd parent{to_parent.fd(), POLLRDHUP, 0};
    if (::poll(&parent, 1, 0) > 0 && (parent.revents & (POLLHUP | POLLRDHUP)))
        ::_exit(exit_code::kRuntimeError);
}

void set_up_stdio(const ContainerSpec& spec, const Channel& channel) {
    std::optional<terminal::Pty> pty;
    if (spec.tty) {
        pty = terminal::open_pty();
        // The size of vessel's own terminal (still our stdin/stdout here), before the command
        // can ask: programs read it once at start, before vessel would get to it.
        auto size = terminal::window_size(STDIN_FILENO);
        if (!size) size = terminal::window_size(STDOUT_FILENO);
        if (size) terminal::set_window_size(pty->master.get(), *size);
        channel.send(Message::kPtyMaster, 0, 0, {}, pty->master.get());
        explain::step(Chapter::kHandshake, "sendmsg(handshake, kPtyMaster, SCM_RIGHTS{master})",
                      "1", "vessel relays the terminal");
        pty->master.reset();
    }
    terminal::new_session(pty ? &*pty : nullptr);
    if (!spec.tty && !spec.interactive) {
        // Without -i the command reads end-of-file, as under docker.
        UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (!null || ::dup2(null.get(), 0) < 0)
            throw SysError("cannot open /dev/null as stdin", errno);
    }
    // What the process keeps into the container: stdio, and the trace (a copy of vessel's stderr).
    inherited_fds::refuse_directories({0, 1, 2, explain::fd()});
}

void enter_workdir(const std::string& workdir, bool create) {
    // Resolved inside the root the process sees, as the container would resolve it: `..` stops at
    // `/`, and no /proc magic link is followed (a link like /proc/self/fd/N can point at any
    // directory the process has open, whatever its root: CVE-2024-21626).
    UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw SysError("cannot open the container's root", errno);
    UniqueFd dir;
    try {
        dir = mounts::open_in_root(root.get(), workdir,
                                   create ? mounts::Create::kDirectory : mounts::Create::kNothing);
    } catch (const SysError& e) {
        throw SysError("cannot enter the working directory " + workdir, e.err(),
                       e.err() == ELOOP ? "it goes through a /proc magic link (or too many "
                                          "symlinks), which could lead out of the container"
                                        : "");
    }
    long rc = ::fchdir(dir.get());
    int err = errno;
    explain::syscall(
        Chapter::kProcess,
        fmt::format("fchdir(openat2(\"/\", {}, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS))",
                    explain::quote(workdir)),
        rc, err, "the working directory, found inside the root");
    if (rc != 0) throw SysError("cannot enter the working directory " + workdir, err);
    check_workdir_inside_root(workdir);
}

void check_workdir_inside_root(const std::string& workdir) {
    // The kernel's own answer: getcwd() fails with ENOENT (glibc) or starts with "(unreachable)"
    // when the working directory is not below the process's root, the mark of an escape.
    char buf[PATH_MAX];
    const char* cwd = ::getcwd(buf, sizeof buf);
    int err = errno;
    explain::step(Chapter::kProcess, "getcwd()",
                  cwd ? explain::quote(cwd) : fmt::format("NULL {}", explain::errno_name(err)),
                  "a path from `/`: the working directory is inside the root");
    if (!cwd || cwd[0] != '/')
        throw SysError("the working directory " + workdir + " is outside the container's root",
                       cwd ? EPERM : err, "refused: it would lead out of the container");
}

std::string find_executable(const std::string& name, const std::vector<std::string>& env) {
    if (name.find('/') != std::string::npos) {
        // Checked here too, so that an OCI create fails before `start`, as runc's does.
        struct stat st {};
        return ::stat(name.c_str(), &st) == 0 || errno != ENOENT ? name : "";
    }
    std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (auto& kv : env)
        if (kv.starts_with("PATH=")) path = kv.substr(5);
    size_t start = 0;
    for (;;) {
        size_t end = path.find(':', start);
        std::string dir = path.substr(start, end - start);
        if (dir.empty()) dir = ".";
        std::string candidate = dir + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return candidate;
        if (end == std::string::npos) return "";
        start = end + 1;
    }
}

std::string resolve_command(const ContainerSpec& spec, const Channel& channel) {
    std::string path = find_executable(spec.args[0], spec.env);
    if (path.empty())
        report_and_exit(channel, exit_code::kNotFound, ENOENT,
                        fmt::format("{}: {}", explain::quote(spec.args[0]),
                                    spec.args[0].find('/') != std::string::npos
                                        ? "no such file in the container"
                                        : "executable file not found in $PATH"));
    return path;
}

void exec_command(const ContainerSpec& spec, const std::string& path, const Channel& channel) {
    ::umask(spec.umask.value_or(022));  // OCI: process.user.umask
    signals::reset_for_exec();
    auto argv = c_strings(spec.args);
    auto envp = c_strings(spec.env);
    std::string shown_args;
    for (auto& a : spec.args) shown_args += (shown_args.empty() ? "" : ", ") + explain::quote(a);
    explain::step(Chapter::kProcess,
                  fmt::format("execve({}, [{}], envp[{}])", explain::quote(path), shown_args,
                              spec.env.size()),
                  "?", "the command replaces vessel's code");
    ::execve(path.c_str(), argv.data(), envp.data());
    int err = errno;
    int code = err == ENOENT ? exit_code::kNotFound : exit_code::kNotExecutable;
    report_and_exit(
        channel, code, err,
        fmt::format("cannot run {}: {}", explain::quote(spec.args[0]), errno_text(err)));
}

}  // namespace vessel
