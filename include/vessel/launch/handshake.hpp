// The parent/child handshake (docs/handshake.md): a socketpair(AF_UNIX, SOCK_SEQPACKET) whose
// every send is one typed message. SEQPACKET keeps message boundaries, so no framing code; the
// child's end is CLOEXEC, so the parent reads end-of-file exactly when execve succeeds.
//
//   parent                                   child
//   clone3 ───────────────────────────────▶  waits for kGo
//   (uid maps)                     kGo ───▶  hostname, overlay, /proc, /sys, /dev ...
//   cgroups, limits, device rules            (both at once, on two CPUs)
//                                kReady ───▶  joins its cgroups, pivot_root, ... , seccomp
//                                  ◀─────── kPtyMaster + fd        (with -t)
//                                  ◀─────── kError{code, errno, text}   (and _exit), or
//                                  ◀─────── EOF                   (execve succeeded)
//
// The same channel type carries the monitor's word to `vessel run -d` (kStarted or kError),
// `vessel exec`'s handshake with the process it starts in a container, and `vessel attach`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "vessel/util/unique_fd.hpp"

namespace vessel {

enum class Message : uint32_t {
    kGo = 1,     // parent -> child: start building the container's filesystem
    kPtyMaster,  // child -> parent: the master side of the container's pty, attached as an fd
    kError,      // child -> parent: a step failed; carries an exit code, errno and the reason
    kStarted,    // monitor -> `vessel run -d`: the container's command runs; text is its id
    // vessel attach <-> the monitor (docs/lifecycle.md):
    kInput,    // attach -> monitor: bytes for the container's stdin (pty or pipe)
    kResize,   // attach -> monitor: the terminal's size; exit_code = rows, err = columns
    kOutput,   // monitor -> attach: bytes the container wrote; exit_code = 1 (stdout) or 2
    kExited,   // monitor -> attach: the container has exited with exit_code
    kReady,    // parent -> child: the cgroups are made and limited; join them and finish
    kCreated,  // child -> parent (OCI create): ready, waiting for `start` on the exec fifo
};

struct Received {
    Message type{};
    int32_t exit_code = 0;  // kError: 125, 126 or 127
    int32_t err = 0;        // kError: errno of the failed call, 0 if none
    std::string text;       // kError: what failed, in the words the user will read
    UniqueFd fd;            // kPtyMaster: the descriptor that came with the message
};

class Channel {
  public:
    // Both ends, CLOEXEC. first goes to the parent, second to the child.
    static std::pair<Channel, Channel> make_pair();

    Channel() = default;
    explicit Channel(UniqueFd fd) : fd_(std::move(fd)) {}

    // At most kMaxText bytes of text per message (longer text is cut).
    static constexpr size_t kMaxText = 4000;
    void send(Message type, int32_t exit_code = 0, int32_t err = 0, std::string_view text = {},
              int attach_fd = -1) const;
    // The next message, or std::nullopt at end-of-file (the other side closed or exec'd).
    std::optional<Received> receive() const;

    int fd() const { return fd_.get(); }
    void close() { fd_.reset(); }

  private:
    UniqueFd fd_;
};

// The parent's side of the end of the handshake: reads messages until the child execs (EOF),
// returning the pty master if the child sent one. kCreated (OCI create) ends it the same way.
// Throws Error with the child's exit code (125, 126, 127) and reason when it reports a failure.
UniqueFd await_exec(const Channel& channel);

}  // namespace vessel
