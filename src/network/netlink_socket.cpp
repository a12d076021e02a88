#include "netlink_socket.hpp"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/errno.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "vessel/util/error.hpp"

namespace vessel::network::netlink {

Socket::Socket() : sock_(nl_socket_alloc()) {
    if (sock_ == nullptr) throw SysError("cannot allocate a netlink socket", ENOMEM);
    // Every error answer passes through on_error first, which keeps the kernel's errno.
    nl_socket_modify_err_cb(sock_, NL_CB_CUSTOM, &Socket::on_error, this);
    // nl_connect: socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) and bind.
    if (const int rc = nl_connect(sock_, NETLINK_ROUTE); rc < 0) {
        const int err = errno_of_libnl(rc);
        nl_socket_free(sock_);
        throw SysError("cannot open a netlink socket (NETLINK_ROUTE)", err);
    }
}

Socket::~Socket() {
    nl_socket_free(sock_);
}

int Socket::send(Msg msg) {
    // nl_send_sync: completes the header (sequence number, NLM_F_ACK), sends it, waits for the
    // acknowledgement, and frees the message whatever happens.
    return request([&](nl_sock* sock) { return nl_send_sync(sock, msg.release()); });
}

int Socket::on_error(sockaddr_nl*, nlmsgerr* error, void* self) {
    static_cast<Socket*>(self)->kernel_errno_ = std::abs(error->error);
    return NL_STOP;  // libnl then returns its own code for it, which request() replaces
}

int Socket::errno_of_libnl(int nl_error) {
    // Only failures of libnl itself get here (the kernel's answers carry their errno): the
    // inverse of nl_syserr2nlerr for the codes it can produce, EIO for the rest.
    switch (-nl_error) {
        case NLE_NOMEM:
            return ENOMEM;
        case NLE_BAD_SOCK:
            return EBADF;
        case NLE_EXIST:
            return EEXIST;
        case NLE_NOADDR:
            return EADDRNOTAVAIL;
        case NLE_OBJ_NOTFOUND:
            return ENOENT;
        case NLE_NODEV:
            return ENODEV;
        case NLE_INTR:
            return EINTR;
        case NLE_AGAIN:
            return EAGAIN;
        case NLE_INVAL:
            return EINVAL;
        case NLE_NOACCESS:
            return EACCES;
        case NLE_PERM:
            return EPERM;
        case NLE_OPNOTSUPP:
            return EOPNOTSUPP;
        case NLE_AF_NOSUPPORT:
            return EAFNOSUPPORT;
        case NLE_PROTO_MISMATCH:
            return EPROTONOSUPPORT;
        case NLE_BUSY:
            return EBUSY;
        case NLE_RANGE:
            return ERANGE;
        case NLE_MSGSIZE:
            return EMSGSIZE;
        default:
            return EIO;
    }
}

NlAddr ipv4_address(Ipv4 ip, int prefix) {
    const uint32_t network_order = htonl(ip.value);
    NlAddr addr(nl_addr_build(AF_INET, &network_order, sizeof network_order));
    if (!addr) throw SysError("cannot build an IPv4 address", ENOMEM);
    nl_addr_set_prefixlen(addr.get(), prefix);
    return addr;
}

std::string text(const nl_addr* addr) {
    char buffer[INET6_ADDRSTRLEN + 8];
    return nl_addr2str(addr, buffer, sizeof buffer);
}

int set_up(Socket& sock, int index) {
    Msg msg(nlmsg_alloc_simple(RTM_NEWLINK, 0));
    if (!msg) return ENOMEM;
    ifinfomsg header{};
    header.ifi_family = AF_UNSPEC;
    header.ifi_index = index;
    header.ifi_flags = IFF_UP;
    header.ifi_change = IFF_UP;
    if (nlmsg_append(msg.get(), &header, sizeof header, NLMSG_ALIGNTO) < 0) return EMSGSIZE;
    return sock.send(std::move(msg));
}

int remove_link(Socket& sock, const std::string& name) {
    Link link(rtnl_link_alloc());
    if (!link) return ENOMEM;
    rtnl_link_set_name(link.get(), name.c_str());
    return sock.request([&](nl_sock* s) { return rtnl_link_delete(s, link.get()); });
}

// IFF_LOWER_UP, the carrier, from <linux/if.h>, which cannot be included with <net/if.h>.
constexpr unsigned kLowerUp = 1U << 16;

void sync_link(Socket& sock, const std::string& name, int index) {
    rtnl_link* found = nullptr;
    const int err =
        sock.request([&](nl_sock* s) { return rtnl_link_get_kernel(s, index, nullptr, &found); });
    Link link(found);
    const bool up = link && (rtnl_link_get_flags(link.get()) & kLowerUp) != 0;
    if (explain::enabled()) {
        explain::step(explain::Chapter::kNetwork, "ip link show " + name,
                      err != 0 ? "-1 " + std::string(explain::errno_name(err))
                      : up     ? "LOWER_UP"
                               : "NO-CARRIER",
                      "the kernel turns the link on now, not a moment later");
    }
    if (err != 0) throw SysError("cannot look up network interface " + name, err);
}

int index_of(const std::string& name) {
    return static_cast<int>(::if_nametoindex(name.c_str()));
}

}  // namespace vessel::network::netlink
