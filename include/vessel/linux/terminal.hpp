// Terminals (docs/terminal.md). With -t the container gets a pseudo-terminal from its *own* devpts
// instance: the child opens /dev/ptmx inside the container, keeps the slave as its controlling
// terminal and hands the master to vessel over the handshake. vessel puts the host terminal in
// raw mode, so every key (Ctrl-C too) reaches the container's line discipline untouched, and
// copies bytes both ways.
#pragma once

#include <sys/ioctl.h>
#include <termios.h>

#include <optional>

#include "vessel/util/unique_fd.hpp"

namespace vessel::terminal {

struct Pty {
    UniqueFd master;
    UniqueFd slave;
};

// Child side, after pivot_root: a new pty from the container's /dev/ptmx.
Pty open_pty();

// Child side: a new session (so the container cannot TIOCSTI into the terminal that started
// vessel), and with a pty, the slave as controlling terminal and as fds 0, 1 and 2.
void new_session(const Pty* pty);

// The window size of a terminal, if `fd` is one.
std::optional<winsize> window_size(int fd);
void set_window_size(int fd, const winsize& size);

// The host terminal in raw mode for as long as this object lives; restored by its destructor on
// every way out of vessel (return, exception), and by restore() before an explicit exit.
class RawMode {
  public:
    explicit RawMode(int fd);
    ~RawMode() { restore(); }
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;
    void restore();

  private:
    int fd_ = -1;
    termios saved_{};
    bool active_ = false;
};

}  // namespace vessel::terminal
