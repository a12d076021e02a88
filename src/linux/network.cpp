#include "vessel/linux/network.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::network {

void bring_up_loopback() {
    // SIOCSIFFLAGS on any socket is the whole of `ip link set lo up` for one interface; netlink
    // (libnl) is worth its weight only once vessel creates veths and addresses.
    UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock) throw SysError("socket(AF_INET)", errno);
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    check(::ioctl(sock.get(), SIOCGIFFLAGS, &ifr), "SIOCGIFFLAGS lo");
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    long rc = ::ioctl(sock.get(), SIOCSIFFLAGS, &ifr);
    int err = errno;
    explain::syscall(explain::Chapter::kNetwork, "ioctl(sock, SIOCSIFFLAGS, {\"lo\", IFF_UP})", rc,
                     err, "loopback up; no other interface");
    if (rc != 0) throw SysError("cannot bring up lo", err);
}

}  // namespace vessel::network
