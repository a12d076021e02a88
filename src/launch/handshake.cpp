#include "vessel/launch/handshake.hpp"

#include <sys/socket.h>

#include <fmt/format.h>

#include "vessel/linux/fd_passing.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel {
namespace {

struct Header {
    Message type;
    int32_t exit_code;
    int32_t err;
};
constexpr size_t kMaxText = Channel::kMaxText;

}  // namespace

std::pair<Channel, Channel> Channel::make_pair() {
    int fds[2];
    check(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), "socketpair");
    return {Channel(UniqueFd(fds[0])), Channel(UniqueFd(fds[1]))};
}

void Channel::send(Message type, int32_t exit_code, int32_t err, std::string_view text,
                   int attach_fd) const {
    Header header{type, exit_code, err};
    text = text.substr(0, kMaxText);
    iovec iov[2] = {{&header, sizeof header}, {const_cast<char*>(text.data()), text.size()}};
    if (int e = fd_passing::send(fd_.get(), iov, text.empty() ? 1 : 2, attach_fd))
        throw SysError("handshake: sendmsg", e);
}

std::optional<Received> Channel::receive() const {
    Header header{};
    char text[kMaxText];
    iovec iov[2] = {{&header, sizeof header}, {text, sizeof text}};
    Received out;
    ssize_t n = fd_passing::receive(fd_.get(), iov, 2, out.fd);
    if (n < 0) throw SysError("handshake: recvmsg", static_cast<int>(-n));
    if (n == 0) return std::nullopt;
    if (static_cast<size_t>(n) < sizeof header) throw Error("handshake: short message");
    out.type = header.type;
    out.exit_code = header.exit_code;
    out.err = header.err;
    out.text.assign(text, static_cast<size_t>(n) - sizeof header);
    return out;
}

UniqueFd await_exec(const Channel& channel) {
    using explain::Chapter;
    UniqueFd pty_master;
    for (;;) {
        auto msg = channel.receive();
        if (!msg) {
            explain::step(Chapter::kHandshake, "recvmsg(handshake)", "0",
                          "end-of-file: the child's execve succeeded");
            return pty_master;
        }
        switch (msg->type) {
            case Message::kPtyMaster:
                pty_master = std::move(msg->fd);
                break;
            case Message::kCreated:
                explain::step(Chapter::kHandshake, "recvmsg(handshake) = kCreated", "1",
                              "the child waits for `start` on the exec fifo");
                return pty_master;
            case Message::kError:
                explain::step(Chapter::kHandshake, "recvmsg(handshake) = kError",
                              fmt::format("{}", msg->exit_code), msg->text);
                throw Error(msg->text, msg->exit_code);
            default:
                throw Error("handshake: unexpected message from the container");
        }
    }
}

}  // namespace vessel
