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

#include "vessel/launch/mini_init.hpp"
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

void report_exception_and_exit(const handshake::ChildEnd& channel) {
    try {
        throw;
    } catch (const Error& e) {
        auto* sys = dynamic_cast<const SysError*>(&e);
        channel.fail(e.exit_code(), sys ? sys->err() : 0, e.what());
    } catch (const std::exception& e) {
        channel.fail(exit_code::kRuntimeError, 0, e.what());
    } catch (...) {
        channel.fail(exit_code::kRuntimeError, 0, "unknown error");
    }
}

namespace {

// The kernel clears PR_SET_PDEATHSIG whenever credentials change (a -u user, a user namespace),
// so after confinement the process arms it again, then checks that its parent (the other end of
// the handshake) is still there: had it died in between, nobody would be left to kill us.
void rearm_parent_death_signal(const handshake::ChildEnd& to_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    pollfd parent{to_parent.fd(), POLLRDHUP, 0};
    if (::poll(&parent, 1, 0) > 0 && (parent.revents & (POLLHUP | POLLRDHUP)))
        ::_exit(exit_code::kRuntimeError);
}

// `vessel exec -d`: returns at once, and whoever reads its output must not wait for this process.
void stdio_from_null() {
    UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    for (int fd = 0; fd <= 2; ++fd)
        if (!null || ::dup2(null.get(), fd) < 0) throw SysError("dup2 /dev/null", errno);
}

// With -t, a pty from the container's own devpts, its master sent to the parent and its slave as
// stdin, stdout, stderr and controlling terminal. Always a new session. Without -t and -i,
// stdin reads /dev/null, as under docker. A directory as stdio is refused (CVE-2024-21626).
void set_up_stdio(const ContainerSpec& spec, const handshake::ChildEnd& channel) {
    std::optional<terminal::Pty> pty;
    if (spec.tty) {
        pty = terminal::open_pty();
        // The size of vessel's own terminal (still our stdin/stdout here), before the command
        // can ask: programs read it once at start, before vessel would get to it.
        auto size = terminal::window_size(STDIN_FILENO);
        if (!size) size = terminal::window_size(STDOUT_FILENO);
        if (size) terminal::set_window_size(pty->master.get(), *size);
        channel.send_pty_master(pty->master.get());
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

// Throws SysError unless getcwd() names a directory below the process's root.
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

// Enters the working directory, resolved inside the process's root with openat2(RESOLVE_IN_ROOT |
// RESOLVE_NO_MAGICLINKS), and checks with getcwd() that it is below that root. `create`: make it
// when missing, as `docker run -w` does (`docker exec -w` does not). Throws SysError.
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

}  // namespace

std::string find_executable(const std::string& name, const std::vector<std::string>& env) {
    if (name.find('/') != std::string::npos) return name;
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

namespace {

// find_executable for spec.args[0], or a 127 when it does not exist.
std::string resolve_command(const ContainerSpec& spec, const handshake::ChildEnd& channel) {
    std::string path = find_executable(spec.args[0], spec.env);
    if (path.empty())
        channel.fail(
            exit_code::kNotFound, ENOENT,
            fmt::format("{}: executable file not found in $PATH", explain::quote(spec.args[0])));
    return path;
}

// Docker's umask and default signal dispositions, then execve(path, spec.args, spec.env). On
// failure, reports 127 (ENOENT) or 126 and _exits.
[[noreturn]] void exec_command(const ContainerSpec& spec, const std::string& path,
                               const handshake::ChildEnd& channel) {
    ::umask(022);
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
    channel.fail(code, err,
                 fmt::format("cannot run {}: {}", explain::quote(spec.args[0]), errno_text(err)));
}

}  // namespace

void start_process(const StartTail& tail, KernelSteps& k) {
    const ContainerSpec& spec = *tail.spec;
    explain::section("the process: terminal, user, descriptors, then execve");
    if (tail.stdio_from_null) k.stdio_from_null();
    k.set_up_stdio(spec);
    try {
        k.enter_workdir(spec.workdir, tail.create_workdir);
    } catch (const Error& e) {
        if (tail.create_workdir) throw;
        // docker exec -w does not create the directory, and reports 126 when it is missing.
        throw Error(e.what(), exit_code::kNotExecutable);
    }
    const std::string path = k.resolve_command(spec);
    k.apply_confinement(*tail.confinement);
    if (tail.dies_with_parent) k.rearm_parent_death_signal();
    // Sealed (and filtered) before the --init fork, so init is held as tightly as the command.
    k.seal(*tail.confinement);
    if (tail.init) k.become_init_and_fork(spec.tty);
    k.exec(spec, path);
}

// LinuxSteps' tail (kernel_steps.hpp): the real steps, one helper above each.
void LinuxSteps::stdio_from_null() {
    vessel::stdio_from_null();
}

void LinuxSteps::set_up_stdio(const ContainerSpec& spec) {
    vessel::set_up_stdio(spec, channel_);
}

void LinuxSteps::enter_workdir(const std::string& workdir, bool create) {
    vessel::enter_workdir(workdir, create);
}

std::string LinuxSteps::resolve_command(const ContainerSpec& spec) {
    return vessel::resolve_command(spec, channel_);
}

void LinuxSteps::apply_confinement(const confinement::Plan& plan) {
    confinement::apply(plan);
}

void LinuxSteps::rearm_parent_death_signal() {
    vessel::rearm_parent_death_signal(channel_);
}

void LinuxSteps::seal(const confinement::Plan& plan) {
    confinement::seal_before_exec(plan);
}

void LinuxSteps::become_init_and_fork(bool tty) {
    mini_init::become_init_and_fork(tty);
}

void LinuxSteps::exec(const ContainerSpec& spec, const std::string& path) {
    exec_command(spec, path, channel_);
}

}  // namespace vessel
