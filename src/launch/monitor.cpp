#include "vessel/launch/monitor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include <fmt/format.h>

#include "vessel/launch/launcher.hpp"
#include "vessel/launch/monitor_channel.hpp"
#include "vessel/linux/process.hpp"
#include "vessel/linux/signals.hpp"
#include "vessel/running/attach_server.hpp"
#include "vessel/running/log_relay.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/log.hpp"

namespace vessel {
namespace {

using container_log::Stream;
using explain::Chapter;

// How long a line without its newline waits before it is logged as a partial record.
constexpr int kPartialLineDelayMs = 100;
// How long the monitor waits, after PID 1 and its cgroup are gone, for the last output.
constexpr int kDrainTimeoutMs = 1000;

// The container's end of its stdio, installed as the monitor's own fds 0-2 so that launch()'s
// clone3 hands them down; the monitor keeps the other ends.
struct ContainerStdio {
    UniqueFd out, err;     // read ends of the stdout and stderr pipes (none with -t)
    UniqueFd stdin_write;  // -i without -t: stdin stays open, as with `docker run -di`
};

UniqueFd open_null() {
    UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null) throw SysError("cannot open /dev/null", errno);
    return null;
}

// A pipe whose `child_end` (0: read, 1: write) becomes fd `target`; returns the other end,
// close-on-exec and, for a read end, non-blocking.
UniqueFd pipe_onto(int target, int child_end) {
    int fds[2];
    check(::pipe2(fds, O_CLOEXEC), "pipe2");
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    UniqueFd& theirs = child_end == 0 ? read_end : write_end;
    check(::dup2(theirs.get(), target), "dup2");
    if (child_end == 1) ::fcntl(read_end.get(), F_SETFL, O_NONBLOCK);
    return std::move(child_end == 0 ? write_end : read_end);
}

ContainerStdio make_container_stdio(const ContainerSpec& spec) {
    ContainerStdio io;
    UniqueFd null = open_null();
    if (spec.tty) {
        // The child makes a pty of the container's own and sends us the master.
        for (int fd = 0; fd <= 2; ++fd) check(::dup2(null.get(), fd), "dup2");
        return io;
    }
    if (spec.interactive)
        io.stdin_write = pipe_onto(STDIN_FILENO, 0);
    else
        check(::dup2(null.get(), STDIN_FILENO), "dup2");
    io.out = pipe_onto(STDOUT_FILENO, 1);
    io.err = pipe_onto(STDERR_FILENO, 1);
    return io;
}

// Out of the caller's session and process group: the terminal's Ctrl-C or hang-up never reaches
// the monitor (and so never the container).
void detach_from_terminal() {
    long rc = ::setsid();
    int err = errno;
    explain::syscall(Chapter::kLifecycle, "setsid()", rc, err,
                     "a session of its own: no terminal signal reaches the monitor");
}

struct Monitor {
    RunningContainer c;
    ContainerStdio io;
    UniqueFd signal_fd;

    int pidfd() const { return c.owned.init.get(); }
    int output_fd() const { return c.pty_master ? c.pty_master.get() : io.out.get(); }

    // Relays output, input from attached clients and signals until PID 1 exits; returns its
    // exit status.
    int supervise(LogRelay& relay, AttachServer& attach) {
        if (c.pty_master) ::fcntl(c.pty_master.get(), F_SETFL, O_NONBLOCK);
        relay.set_tee([&](Stream s, std::string_view bytes) { attach.broadcast(s, bytes); });
        int out = output_fd(), err = io.err.get();
        for (;;) {
            enum { kExit, kSignal, kOut, kErr, kListen, kClients };
            std::vector<pollfd> fds = {{pidfd(), POLLIN, 0},
                                       {signal_fd.get(), POLLIN, 0},
                                       {out, POLLIN, 0},
                                       {err, POLLIN, 0},
                                       {attach.listen_fd(), POLLIN, 0}};
            for (int fd : attach.client_fds()) fds.push_back({fd, POLLIN, 0});
            int rc = ::poll(fds.data(), fds.size(), relay.has_partial() ? kPartialLineDelayMs : -1);
            if (rc < 0 && errno == EINTR) continue;
            if (rc < 0) throw SysError("poll", errno);
            if (rc == 0) relay.flush_partial();
            if (fds[kSignal].revents & POLLIN) {
                signalfd_siginfo info{};
                while (::read(signal_fd.get(), &info, sizeof info) == sizeof info)
                    process::send_signal(pidfd(), static_cast<int>(info.ssi_signo));
            }
            const auto ready = [&](size_t i) {
                return fds[i].revents & (POLLIN | POLLHUP | POLLERR);
            };
            if (out >= 0 && ready(kOut) && !relay.read_from(out, Stream::kStdout)) out = -1;
            if (err >= 0 && ready(kErr) && !relay.read_from(err, Stream::kStderr)) err = -1;
            if (fds[kListen].revents & POLLIN) attach.accept_client();
            for (size_t i = kClients; i < fds.size(); ++i)
                if (ready(i)) attach.serve(fds[i].fd);
            if (fds[kExit].revents & POLLIN) break;
        }
        int code = process::wait_exit_code(pidfd());
        c.owned.init.reset();  // reaped
        // PID 1's exit ends its pid namespace; the cgroup may still hold exec'd processes for a
        // moment. Once they are gone, nobody holds the pipes and the drain ends at EOF.
        if (c.owned.cgroup) c.owned.cgroup->kill_all();
        if (out >= 0) relay.drain(out, Stream::kStdout, kDrainTimeoutMs);
        if (err >= 0) relay.drain(err, Stream::kStderr, kDrainTimeoutMs);
        relay.flush_partial();
        attach.announce_exit(code);
        return code;
    }
};

[[noreturn]] void monitor_main(const StateStore& store, const ContainerSpec& spec,
                               const ResolvedUser& user, monitor_channel::Reporter cli) {
    explain::set_role("monitor");
    explain::step(Chapter::kLifecycle, "fork()", "0",
                  "the monitor: it launches the container and stays its parent");
    std::optional<Monitor> m;
    try {
        detach_from_terminal();
        // Pin no directory of the caller's (nor let the janitor, forked by launch(), pin it):
        // every path from here on is absolute.
        check(::chdir("/"), "chdir /");
        const sigset_t forwarded = signals::forwarded();
        signals::block(forwarded);
        ::signal(SIGPIPE, SIG_IGN);
        UniqueFd signal_fd = signals::open_signalfd(forwarded);
        ContainerStdio io = make_container_stdio(spec);

        RunningContainer c = launch(store, spec, user);
        m.emplace(Monitor{std::move(c), std::move(io), std::move(signal_fd)});
    } catch (const Error& e) {
        cli.failed(e.exit_code(), e.what());
        ::_exit(e.exit_code());
    } catch (const std::exception& e) {
        cli.failed(exit_code::kRuntimeError, e.what());
        ::_exit(exit_code::kRuntimeError);
    }

    // The container runs. Drop our copies of its stdio, so that the pipes end when it does.
    RunningContainer& c = m->c;
    const std::string dir = store.dir_of(spec.id);
    int code = exit_code::kRuntimeError;
    try {
        UniqueFd null = open_null();
        for (int fd = 0; fd <= 2; ++fd) check(::dup2(null.get(), fd), "dup2");
        log::redirect_to_file(dir + "/" + kMonitorLogName);
        LogRelay relay(dir + "/" + kLogFileName);
        const int input = spec.tty ? c.pty_master.get() : m->io.stdin_write.get();
        AttachServer attach(dir, spec.interactive ? input : -1, c.pty_master.get());
        {
            ContainerLock lock = store.lock(spec.id);
            c.state.log_path = dir + "/" + kLogFileName;
            store.save(c.state);
        }
        explain::step(Chapter::kLifecycle, "sendmsg(vessel run -d, kStarted)", "1",
                      "the container runs: vessel run -d prints its id and exits");
        explain::disable();
        cli.started(spec.id);
        cli.close();

        code = m->supervise(relay, attach);
    } catch (const std::exception& e) {
        // The container must not outlive a monitor that lost track of it: the teardown below
        // kills it.
        spdlog::error("monitor of {}: {}; stopping the container", spec.short_id(), e.what());
        code = exit_code::kRuntimeError;
        if (cli.open()) {
            // `vessel run -d` has not printed the id yet and will report a failure: then the
            // container must not stay behind either.
            c.state.spec.remove = true;
            cli.failed(code, e.what());
        }
    }
    try {
        teardown::end(store, c.state, c.owned, teardown::Ending::kExited, code);
    } catch (const std::exception& e) {
        spdlog::error("monitor of {}: cannot record the exit: {}", spec.short_id(), e.what());
        ::_exit(1);  // the janitor, still armed, tries again
    }
    ::_exit(0);
}

}  // namespace

std::string start_detached(const StateStore& store, const ContainerSpec& spec,
                           const ResolvedUser& user) {
    explain::section("vessel run -d: a monitor process, then the usual launch");
    auto [cli_end, monitor_end] = monitor_channel::make_pair();
    // Nothing buffered may be written twice, once by each process.
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) throw SysError("cannot fork the monitor", errno);
    if (pid == 0) {
        cli_end.close();
        monitor_main(store, spec, user, std::move(monitor_end));
    }
    monitor_end.close();
    return cli_end.await_started();
}

}  // namespace vessel
