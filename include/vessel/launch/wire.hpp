// The transport under vessel's three small protocols between processes: the launch handshake
// (handshake.hpp), the monitor's word to `vessel run -d` (monitor_channel.hpp) and `vessel
// attach` (attach_protocol.hpp). A socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC) or a
// connected SEQPACKET socket, whose every send is one message: a type, two integers, some text
// and at most one fd (SCM_RIGHTS). SEQPACKET keeps message boundaries, so there is no framing
// code. Only this file knows the bytes; the protocols give each message a name and a type of
// their own, so that one protocol's message can never be read as another's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "vessel/util/unique_fd.hpp"

namespace vessel::wire {

struct Packet {
    uint32_t type = 0;
    int32_t a = 0, b = 0;  // what they mean is the protocol's business
    std::string text;
    UniqueFd fd;  // the descriptor that came with the message, if any
};

class Socket {
  public:
    // Both ends, CLOEXEC.
    static std::pair<Socket, Socket> make_pair();

    Socket() = default;
    explicit Socket(UniqueFd fd) : fd_(std::move(fd)) {}

    // At most kMaxText bytes of text per message (longer text is cut).
    static constexpr size_t kMaxText = 4000;
    // Throws SysError (EPIPE when the other side is gone).
    void send(uint32_t type, int32_t a = 0, int32_t b = 0, std::string_view text = {},
              int attach_fd = -1) const;
    // The next message, or std::nullopt at end-of-file (the other side closed or exec'd).
    std::optional<Packet> receive() const;

    int fd() const { return fd_.get(); }
    void close() { fd_.reset(); }

  private:
    UniqueFd fd_;
};

}  // namespace vessel::wire
