// The launch handshake (docs/handshake.md): the protocol between vessel and the process it
// starts, for `run` and `exec` alike. Each side holds a typed end with named sends and waits;
// a message out of turn is an error that says "expected X, got Y". The child's end is CLOEXEC,
// so the parent reads end-of-file exactly when execve succeeds.
//
//   parent (ParentEnd)                        child (ChildEnd)
//   clone3 ───────────────────────────────▶   await_go()
//   (uid maps)              send_go() ───▶    run: hostname, overlay, /proc, /sys, /dev ...
//   cgroups, limits, device rules             (both at once, on two CPUs)
//                        send_ready() ───▶    await_ready(): joins its cgroups, pivot_root ...
//   await_exec():        ◀─────── send_pty_master(fd)            (with -t)
//                        ◀─────── fail(code, errno, text) and _exit, or
//                        ◀─────── EOF                            (execve succeeded)
//
// `vessel exec` uses the same protocol without kReady: its cgroups exist already.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "vessel/launch/wire.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::handshake {

enum class Message : uint32_t {
    kGo = 1,     // parent -> child: start (with --userns=remap, the overlay the parent made)
    kReady,      // parent -> child: the cgroups are made and limited; join them and finish
    kPtyMaster,  // child -> parent: the master side of the container's pty, attached as an fd
    kError,      // child -> parent: a step failed: exit code, errno and the reason
};
std::string_view name(Message message);

// The child's failure as the parent reads it: the child's words and exit code (125, 126, 127),
// and the errno of the call that failed (0 if none).
class ChildFailed : public Error {
  public:
    ChildFailed(const std::string& text, int exit_code, int err)
        : Error(text, exit_code), err_(err) {}
    int err() const { return err_; }

  private:
    int err_;
};

class ParentEnd {
  public:
    ParentEnd() = default;
    explicit ParentEnd(wire::Socket socket) : socket_(std::move(socket)) {}

    // kGo. `fd`: what comes with it (with --userns=remap, the container's root), or -1.
    void send_go(int fd = -1) const;
    // kReady. False when the child is gone already: its kError waits in the channel, and
    // await_exec() reads it.
    bool send_ready() const;
    // Reads until the child execs (end-of-file) and returns the pty master if one came. Throws
    // ChildFailed with the child's exit code, errno and reason when it reports a failure.
    UniqueFd await_exec() const;

    void close() { socket_.close(); }

  private:
    wire::Socket socket_;
};

class ChildEnd {
  public:
    ChildEnd() = default;
    explicit ChildEnd(wire::Socket socket) : socket_(std::move(socket)) {}

    // Waits for kGo and returns the fd that came with it. End-of-file means the parent died or
    // gave up: the child _exits quietly (the parent reports the failure, if it is there).
    UniqueFd await_go() const;
    // Waits for kReady, likewise.
    void await_ready() const;
    // kPtyMaster with the pty's master.
    void send_pty_master(int master_fd) const;
    // kError{code, err, text} to the parent, if it is still there, then _exit(code).
    [[noreturn]] void fail(int code, int err, const std::string& text) const;

    // For poll(POLLRDHUP): whether the parent is still there.
    int fd() const { return socket_.fd(); }
    void close() { socket_.close(); }

  private:
    UniqueFd await(Message expected, std::string_view why) const;
    wire::Socket socket_;
};

// Both ends: the first for the parent, the second for the child.
std::pair<ParentEnd, ChildEnd> make_pair();

}  // namespace vessel::handshake
