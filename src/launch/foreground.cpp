#include "vessel/launch/foreground.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/linux/process.hpp"
#include "vessel/linux/signals.hpp"
#include "vessel/linux/terminal.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel {
namespace {

// Copies what is readable on `from` to `to`. Returns false at end-of-file or error (EIO is how a
// pty master says that every slave is closed).
bool relay(int from, int to) {
    char buf[16384];
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) return false;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return true;  // our stdout went away (EPIPE): drop the output, keep running
        off += w;
    }
    return true;
}

void set_nonblocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

void forward(const Supervised& p, int sig) {
    if (sig == SIGWINCH && p.pty_master >= 0) {
        // With a pty the kernel tells the container itself, when its window size changes.
        if (auto size = terminal::window_size(STDIN_FILENO))
            terminal::set_window_size(p.pty_master, *size);
        return;
    }
    bool ok = process::send_signal(p.pidfd, sig);
    explain::syscall(explain::Chapter::kProcess,
                     fmt::format("pidfd_send_signal(pidfd, {}, NULL, 0)", signals::name(sig)),
                     ok ? 0 : -1, errno, fmt::format("forwarded to {}", p.what));
}

}  // namespace

int supervise_foreground(const Supervised& p, int signal_fd) {
    const bool pty = p.pty_master >= 0;
    const bool attach_stdin = pty && p.interactive;
    std::optional<terminal::RawMode> raw;
    if (pty) {
        set_nonblocking(p.pty_master);
        auto size = terminal::window_size(STDIN_FILENO);
        if (!size) size = terminal::window_size(STDOUT_FILENO);
        if (size) terminal::set_window_size(p.pty_master, *size);
        if (attach_stdin) raw.emplace(STDIN_FILENO);
    }

    enum { kExit, kSignal, kMaster, kStdin };
    pollfd fds[4] = {{p.pidfd, POLLIN, 0},
                     {signal_fd, POLLIN, 0},
                     {pty ? p.pty_master : -1, POLLIN, 0},
                     {attach_stdin ? STDIN_FILENO : -1, POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 4, -1) < 0) {
            if (errno == EINTR) continue;
            throw SysError("poll", errno);
        }
        if (fds[kSignal].revents & POLLIN) {
            signalfd_siginfo info{};
            while (::read(signal_fd, &info, sizeof info) == sizeof info)
                forward(p, static_cast<int>(info.ssi_signo));
        }
        if (fds[kMaster].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!relay(p.pty_master, STDOUT_FILENO)) fds[kMaster].fd = -1;
        }
        if (fds[kStdin].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!relay(STDIN_FILENO, p.pty_master)) {
                // Our input ended: the container's terminal reads end-of-file (Ctrl-D) too.
                ssize_t ignored = ::write(p.pty_master, "\x04", 1);
                (void)ignored;
                fds[kStdin].fd = -1;
            }
        }
        if (fds[kExit].revents & POLLIN) break;
    }
    int code = process::wait_exit_code(p.pidfd);
    explain::step(explain::Chapter::kProcess, "waitid(P_PIDFD, pidfd, &info, WEXITED)",
                  fmt::format("0 (exit status {})", code), fmt::format("{} has exited", p.what));
    if (pty) {
        // What the command wrote just before it exited is still in the pty: pass it on.
        while (relay(p.pty_master, STDOUT_FILENO)) {
            pollfd more{p.pty_master, POLLIN, 0};
            if (::poll(&more, 1, 0) <= 0) break;
        }
    }
    if (raw) raw->restore();
    return code;
}

}  // namespace vessel
