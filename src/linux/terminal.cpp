#include "vessel/linux/terminal.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::terminal {

using explain::Chapter;

Pty open_pty() {
    Pty pty;
    pty.master.reset(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
    int err = errno;
    explain::syscall(Chapter::kTerminal, "open(\"/dev/ptmx\", O_RDWR|O_NOCTTY)", pty.master.get(),
                     err, "a pty from our own devpts");
    if (!pty.master) throw SysError("cannot open /dev/ptmx in the container", err);
    int unlock = 0;
    check(::ioctl(pty.master.get(), TIOCSPTLCK, &unlock), "unlockpt");
    // TIOCGPTPEER opens the slave through the master: no path lookup that could be raced.
    pty.slave.reset(::ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    err = errno;
    explain::syscall(Chapter::kTerminal, "ioctl(master, TIOCGPTPEER, O_RDWR|O_NOCTTY)",
                     pty.slave.get(), err, "its slave: the container's terminal");
    if (!pty.slave) throw SysError("cannot open the pty slave", err);
    return pty;
}

void new_session(const Pty* pty) {
    long rc = ::setsid();
    int err = errno;
    explain::syscall(Chapter::kTerminal, "setsid()", rc, err,
                     "no controlling terminal from the host");
    if (rc < 0) throw SysError("setsid", err);
    if (!pty) return;
    rc = ::ioctl(pty->slave.get(), TIOCSCTTY, 0);
    err = errno;
    explain::syscall(Chapter::kTerminal, "ioctl(slave, TIOCSCTTY, 0)", rc, err,
                     "the pty is our controlling terminal");
    if (rc != 0) throw SysError("TIOCSCTTY", err);
    for (int fd = 0; fd <= 2; ++fd) check(::dup2(pty->slave.get(), fd), "dup2 pty");
    explain::step(Chapter::kTerminal, "dup2(slave, 0); dup2(slave, 1); dup2(slave, 2)", "0",
                  "stdin, stdout, stderr on the pty");
}

std::optional<winsize> window_size(int fd) {
    winsize size{};
    if (::ioctl(fd, TIOCGWINSZ, &size) != 0) return std::nullopt;
    return size;
}

void set_window_size(int fd, const winsize& size) {
    long rc = ::ioctl(fd, TIOCSWINSZ, &size);
    explain::syscall(
        Chapter::kTerminal,
        fmt::format("ioctl(master, TIOCSWINSZ, {{rows={}, cols={}}})", size.ws_row, size.ws_col),
        rc, errno, "the container's window size");
}

RawMode::RawMode(int fd) {
    if (::tcgetattr(fd, &saved_) != 0) return;  // not a terminal: nothing to do
    termios raw = saved_;
    ::cfmakeraw(&raw);
    if (::tcsetattr(fd, TCSADRAIN, &raw) != 0) return;
    fd_ = fd;
    active_ = true;
}

void RawMode::restore() {
    if (!active_) return;
    ::tcsetattr(fd_, TCSADRAIN, &saved_);
    active_ = false;
}

}  // namespace vessel::terminal
