#include "vessel/launch/wire.hpp"

#include <sys/socket.h>

#include "vessel/linux/fd_passing.hpp"
#include "vessel/util/error.hpp"

namespace vessel::wire {
namespace {

struct Header {
    uint32_t type;
    int32_t a;
    int32_t b;
};

}  // namespace

std::pair<Socket, Socket> Socket::make_pair() {
    int fds[2];
    check(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), "socketpair");
    return {Socket(UniqueFd(fds[0])), Socket(UniqueFd(fds[1]))};
}

void Socket::send(uint32_t type, int32_t a, int32_t b, std::string_view text, int attach_fd) const {
    Header header{type, a, b};
    text = text.substr(0, kMaxText);
    iovec iov[2] = {{&header, sizeof header}, {const_cast<char*>(text.data()), text.size()}};
    if (int e = fd_passing::send(fd_.get(), iov, text.empty() ? 1 : 2, attach_fd))
        throw SysError("sendmsg", e);
}

std::optional<Packet> Socket::receive() const {
    Header header{};
    char text[kMaxText];
    iovec iov[2] = {{&header, sizeof header}, {text, sizeof text}};
    Packet out;
    ssize_t n = fd_passing::receive(fd_.get(), iov, 2, out.fd);
    if (n < 0) throw SysError("recvmsg", static_cast<int>(-n));
    if (n == 0) return std::nullopt;
    if (static_cast<size_t>(n) < sizeof header) throw Error("short message on a vessel socket");
    out.type = header.type;
    out.a = header.a;
    out.b = header.b;
    out.text.assign(text, static_cast<size_t>(n) - sizeof header);
    return out;
}

}  // namespace vessel::wire
