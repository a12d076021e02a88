#include "vessel/linux/fd_passing.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace vessel::fd_passing {

int send(int sock, const iovec* buffers, size_t count, int fd) {
    msghdr msg{};
    msg.msg_iov = const_cast<iovec*>(buffers);
    msg.msg_iovlen = count;
    // The descriptor travels in the control ("ancillary") data, beside the bytes.
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    if (fd >= 0) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    while (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
        if (errno != EINTR) return errno;
    return 0;
}

ssize_t receive(int sock, iovec* buffers, size_t count, UniqueFd& fd) {
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = buffers;
    msg.msg_iovlen = count;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    while ((n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0)
        if (errno != EINTR) return -errno;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int received;
            std::memcpy(&received, CMSG_DATA(c), sizeof received);
            fd.reset(received);
        }
    }
    return n;
}

}  // namespace vessel::fd_passing
