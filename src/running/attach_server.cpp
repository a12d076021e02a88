#include "vessel/running/attach_server.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "vessel/linux/terminal.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/log.hpp"

namespace vessel {

AttachAddress attach_address(const std::string& dir) {
    AttachAddress a;
    a.dir_fd.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!a.dir_fd) throw SysError("cannot open " + dir, errno);
    a.addr.sun_family = AF_UNIX;
    std::string path = fmt::format("/proc/self/fd/{}/{}", a.dir_fd.get(), kAttachSocketName);
    std::strncpy(a.addr.sun_path, path.c_str(), sizeof a.addr.sun_path - 1);
    return a;
}

AttachServer::AttachServer(const std::string& dir, int input_fd, int pty_fd)
    : input_fd_(input_fd), pty_fd_(pty_fd) {
    listen_.reset(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!listen_) throw SysError("socket(AF_UNIX)", errno);
    AttachAddress where = attach_address(dir);
    if (::bind(listen_.get(), reinterpret_cast<sockaddr*>(&where.addr), sizeof where.addr) != 0)
        throw SysError("cannot listen on " + dir + "/" + kAttachSocketName, errno);
    check(::listen(listen_.get(), 8), "listen");
}

std::vector<int> AttachServer::client_fds() const {
    std::vector<int> fds;
    for (const auto& c : clients_) fds.push_back(c.fd());
    return fds;
}

void AttachServer::accept_client() {
    UniqueFd fd(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd) return;  // it gave up already
    clients_.emplace_back(wire::Socket(std::move(fd)));
}

void AttachServer::drop(int fd) {
    clients_.erase(std::remove_if(clients_.begin(), clients_.end(),
                                  [fd](const attach_protocol::Session& c) { return c.fd() == fd; }),
                   clients_.end());
}

void AttachServer::serve(int fd) {
    auto it = std::find_if(clients_.begin(), clients_.end(),
                           [fd](const attach_protocol::Session& c) { return c.fd() == fd; });
    if (it == clients_.end()) return;
    std::optional<std::variant<attach_protocol::Input, attach_protocol::Resize>> msg;
    try {
        msg = it->receive();
    } catch (const Error& e) {
        spdlog::warn("dropping an attached client: {}", e.what());
    }
    if (!msg) return drop(fd);  // detached, gone, or speaking another protocol
    if (auto* input = std::get_if<attach_protocol::Input>(&*msg); input && input_fd_ >= 0) {
        std::string_view rest = input->bytes;
        while (!rest.empty()) {
            ssize_t n = ::write(input_fd_, rest.data(), rest.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;  // the container closed its input
            rest.remove_prefix(static_cast<size_t>(n));
        }
    } else if (auto* resize = std::get_if<attach_protocol::Resize>(&*msg); resize && pty_fd_ >= 0) {
        winsize size{};
        size.ws_row = resize->rows;
        size.ws_col = resize->columns;
        terminal::set_window_size(pty_fd_, size);
    }
}

void AttachServer::broadcast(container_log::Stream stream, std::string_view bytes) {
    std::vector<int> slow;
    for (const auto& c : clients_) {
        try {
            for (size_t off = 0; off < bytes.size(); off += attach_protocol::kMaxChunk)
                c.send_output(stream, bytes.substr(off, attach_protocol::kMaxChunk));
        } catch (const Error& e) {
            // EAGAIN (it does not keep up) or EPIPE (it left): either way, it goes.
            spdlog::warn("dropping an attached client: {}", e.what());
            slow.push_back(c.fd());
        }
    }
    for (int fd : slow) drop(fd);
}

void AttachServer::announce_exit(int code) {
    for (const auto& c : clients_) {
        try {
            c.send_exited(code);
        } catch (const Error&) {
        }
    }
    clients_.clear();
}

}  // namespace vessel
