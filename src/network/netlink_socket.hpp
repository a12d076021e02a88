// A netlink socket to the kernel's routing side (NETLINK_ROUTE), through libnl-route-3: the one
// private helper of links.cpp's room (src/network). `ip link`, `ip addr` and `ip route` talk to
// the kernel the same way; vessel sends the same messages without starting a process for each.
//
// libnl returns its own error codes (-NLE_EXIST...), several errnos folding into one; the socket
// keeps the errno the kernel really answered, so that errors read "File exists", as ip's do.
#pragma once

#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "vessel/core/ipv4.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::network::netlink {

// libnl objects are reference counted; these own one reference each.
struct LinkPut {
    void operator()(rtnl_link* link) const { rtnl_link_put(link); }
};
struct AddrPut {
    void operator()(rtnl_addr* addr) const { rtnl_addr_put(addr); }
};
struct NlAddrPut {
    void operator()(nl_addr* addr) const { nl_addr_put(addr); }
};
struct MsgFree {
    void operator()(nl_msg* msg) const { nlmsg_free(msg); }
};
using Link = std::unique_ptr<rtnl_link, LinkPut>;
using Addr = std::unique_ptr<rtnl_addr, AddrPut>;
using NlAddr = std::unique_ptr<nl_addr, NlAddrPut>;
using Msg = std::unique_ptr<nl_msg, MsgFree>;

class Socket {
  public:
    // Connected to NETLINK_ROUTE in the caller's network namespace (the socket stays in it even
    // if the thread moves later). Throws SysError.
    Socket();
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    nl_sock* get() const { return sock_; }

    // Runs one libnl request-and-answer call, `rc = call(sock)`, and returns 0 or the errno of
    // the failure: the kernel's own when it answered one, else the nearest to libnl's code.
    template <typename Call>
    int request(Call&& call) {
        kernel_errno_ = 0;
        const int rc = call(sock_);
        if (rc >= 0) return 0;
        return kernel_errno_ != 0 ? kernel_errno_ : errno_of_libnl(rc);
    }
    // Sends a message built by hand and waits for the kernel's acknowledgement: 0 or an errno.
    int send(Msg msg);

  private:
    static int on_error(sockaddr_nl* who, nlmsgerr* error, void* self);
    static int errno_of_libnl(int nl_error);

    nl_sock* sock_ = nullptr;
    int kernel_errno_ = 0;
};

// `ip`'s spelling of an IPv4 address with its prefix, "10.88.0.1/16", as libnl sends it.
NlAddr ipv4_address(Ipv4 ip, int prefix = 32);
std::string text(const nl_addr* addr);

// The interface index of `name` in the caller's network namespace, or 0 when there is none
// (if_nametoindex: one ioctl, cheaper than a netlink request that parses the whole link).
int index_of(const std::string& name);

// `ip link set INDEX up`: an RTM_NEWLINK that is nothing but its header (ifi_flags IFF_UP, under
// the mask ifi_change IFF_UP). 0 or an errno.
int set_up(Socket& sock, int index);

// `ip link del NAME`: an RTM_DELLINK by name. 0 or the errno (ENODEV when there is no such link).
int remove_link(Socket& sock, const std::string& name);

// `ip link show NAME`, for its side effect: on recent kernels (6.x; rtnl_getlink calls
// linkwatch_sync_dev) asking for a link first applies its pending carrier change, which otherwise
// waits for a kernel worker while packets sent meanwhile are dropped. Older kernels just answer.
// Measured here (6.18): without these requests 5 to 14 of 80 first connections waited 1 s for ARP
// to try again, with them none did. Throws SysError when the link is gone.
void sync_link(Socket& sock, const std::string& name, int index);

// Traces one request as the `ip` command that does the same (`describe()`, formatted only when
// --explain is on), with its result: "= 0" or "= -1 EEXIST (File exists)". Returns `err`.
template <typename Describe>
int traced(int err, Describe&& describe, std::string_view why) {
    explain::traced(err == 0 ? 0 : -1, err, explain::Chapter::kNetwork,
                    std::forward<Describe>(describe), why);
    return err;
}

}  // namespace vessel::network::netlink
