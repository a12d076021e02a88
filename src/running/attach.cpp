#include "vessel/running/attach.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "vessel/core/detach_keys.hpp"
#include "vessel/linux/process.hpp"
#include "vessel/linux/signals.hpp"
#include "vessel/linux/terminal.hpp"
#include "vessel/running/attach_protocol.hpp"
#include "vessel/running/attach_server.hpp"
#include "vessel/running/control.hpp"
#include "vessel/util/error.hpp"

namespace vessel {
namespace {

using attach_protocol::Client;

Client connect_to_monitor(const StateStore& store, const ContainerState& state) {
    UniqueFd sock(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!sock) throw SysError("socket(AF_UNIX)", errno);
    AttachAddress where = attach_address(store.dir_of(state.spec.id));
    if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&where.addr), sizeof where.addr) != 0)
        throw SysError("cannot attach to container " + control::display_name(state), errno,
                       "is its monitor still running?");
    return Client(wire::Socket(std::move(sock)));
}

void send_size(const Client& monitor) {
    if (auto size = terminal::window_size(STDIN_FILENO))
        monitor.send_size(size->ws_row, size->ws_col);
}

void write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        bytes.remove_prefix(static_cast<size_t>(n));
    }
}

}  // namespace

int attach(const StateStore& store, const ContainerState& state) {
    if (!state.spec.detach)
        throw Error("container " + control::display_name(state) +
                    " runs in the foreground of the `vessel run` that started it: nothing to "
                    "attach to (only containers started with -d can be attached)");
    UniqueFd init = control::open_init(state);  // throws when it is not running
    Client monitor = connect_to_monitor(store, state);

    const bool tty = state.spec.tty;
    const bool input = state.spec.interactive;
    const sigset_t forwarded = signals::forwarded();
    signals::block(forwarded);
    UniqueFd signal_fd = signals::open_signalfd(forwarded);
    std::optional<terminal::RawMode> raw;
    if (tty && input) raw.emplace(STDIN_FILENO);
    if (tty) send_size(monitor);

    DetachKeys keys;
    enum { kMonitor, kStdin, kSignal };
    pollfd fds[3] = {{monitor.fd(), POLLIN, 0},
                     {input ? STDIN_FILENO : -1, POLLIN, 0},
                     {signal_fd.get(), POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            throw SysError("poll", errno);
        }
        if (fds[kSignal].revents & POLLIN) {
            signalfd_siginfo info{};
            while (::read(signal_fd.get(), &info, sizeof info) == sizeof info) {
                int sig = static_cast<int>(info.ssi_signo);
                if (sig == SIGWINCH) {
                    if (tty) send_size(monitor);
                } else if (!tty) {
                    // Without a terminal, the signal itself is passed on, as docker's
                    // --sig-proxy does.
                    process::send_signal(init.get(), sig);
                } else if (!raw) {
                    // A terminal we only watch (the container takes no input): Ctrl-C ends the
                    // watching, not the container. (In raw mode Ctrl-C is a byte for the
                    // container's line discipline and never becomes our signal.)
                    std::fprintf(stderr, "vessel: detached from %s; it is still running\n",
                                 control::display_name(state).c_str());
                    return 0;
                }
            }
        }
        if (fds[kStdin].revents & (POLLIN | POLLHUP | POLLERR)) {
            char buf[attach_protocol::kMaxChunk];
            ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
            if (n <= 0 && !(n < 0 && errno == EINTR)) {
                fds[kStdin].fd = -1;  // our input ended; the container's stays open
            } else if (n > 0) {
                bool detach = false;
                std::string bytes = tty ? keys.filter({buf, static_cast<size_t>(n)}, detach)
                                        : std::string(buf, static_cast<size_t>(n));
                if (!bytes.empty()) monitor.send_input(bytes);
                if (detach) {
                    if (raw) raw->restore();
                    std::fprintf(stderr, "\r\nvessel: detached from %s; it is still running\r\n",
                                 control::display_name(state).c_str());
                    return 0;
                }
            }
        }
        if (fds[kMonitor].revents & (POLLIN | POLLHUP | POLLERR)) {
            auto msg = monitor.receive();
            if (!msg) {
                if (raw) raw->restore();
                throw Error("the monitor of container " + control::display_name(state) +
                            " went away");
            }
            if (auto* out = std::get_if<attach_protocol::Output>(&*msg))
                write_all(
                    out->stream == container_log::Stream::kStderr ? STDERR_FILENO : STDOUT_FILENO,
                    out->bytes);
            else
                return std::get<attach_protocol::Exited>(*msg).code;
        }
    }
}

}  // namespace vessel
