// The monitor's side of `vessel attach` (docs/lifecycle.md): a SOCK_SEQPACKET socket at
// <state dir>/attach.sock. Each client gets what the container writes from the moment it
// attaches, may send input and its terminal size, and hears the exit code (attach_protocol.hpp).
// The monitor never waits for a client: one that cannot keep up is dropped, so a stuck `vessel
// attach` never stalls the container's output.
#pragma once

#include <sys/un.h>

#include <string>
#include <string_view>
#include <vector>

#include "vessel/core/container_log.hpp"
#include "vessel/running/attach_protocol.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel {

inline constexpr const char* kAttachSocketName = "attach.sock";

// The address of <dir>/attach.sock, for bind (the monitor) and connect (vessel attach). A socket
// path must fit in sun_path (108 bytes), which a deep --root would overflow; a path through an
// fd of the directory, /proc/self/fd/N/attach.sock, is always short. The fd must stay open until
// the bind or connect is done.
struct AttachAddress {
    UniqueFd dir_fd;
    sockaddr_un addr{};
};
AttachAddress attach_address(const std::string& dir);  // throws SysError

class AttachServer {
  public:
    // Listens on <dir>/attach.sock. `input_fd`: where client input goes (the pty master with -t,
    // the stdin pipe with -i), -1 when the container takes no input. `pty_fd`: for kResize, or
    // -1. Both are borrowed. Throws SysError.
    AttachServer(const std::string& dir, int input_fd, int pty_fd);

    int listen_fd() const { return listen_.get(); }
    // Every attached client's fd, to poll for input.
    std::vector<int> client_fds() const;

    void accept_client();
    // Handles what client `fd` sent; drops the client when it left.
    void serve(int fd);
    // Sends what the container wrote to every client.
    void broadcast(container_log::Stream stream, std::string_view bytes);
    // Tells every client the container's exit code, and lets them go.
    void announce_exit(int code);

  private:
    void drop(int fd);

    UniqueFd listen_;
    int input_fd_;
    int pty_fd_;
    std::vector<attach_protocol::Session> clients_;
};

}  // namespace vessel
