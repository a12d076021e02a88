// What `vessel attach` and the monitor say to each other over <state dir>/attach.sock
// (docs/lifecycle.md). Each side holds a typed end; the window size travels as rows and
// columns, not as the fields of an error.
//
//   vessel attach (Client)                    monitor (Session, one per client)
//   send_input(bytes) ─────────────────────▶  to the container's stdin (pty or pipe)
//   send_size(rows, cols) ─────────────────▶  TIOCSWINSZ on the pty
//   receive() ◀──────────────────────────────  send_output(stream, bytes)
//             ◀──────────────────────────────  send_exited(code)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "vessel/core/container_log.hpp"
#include "vessel/launch/wire.hpp"

namespace vessel::attach_protocol {

enum class Message : uint32_t {
    kInput = 1,  // client -> monitor: bytes for the container's stdin
    kResize,     // client -> monitor: the terminal's size
    kOutput,     // monitor -> client: bytes the container wrote, and on which stream
    kExited,     // monitor -> client: the container's exit code
};

inline constexpr size_t kMaxChunk = wire::Socket::kMaxText;

struct Input {
    std::string bytes;
};
struct Resize {
    unsigned short rows = 0, columns = 0;
};
struct Output {
    container_log::Stream stream;
    std::string bytes;
};
struct Exited {
    int code = 0;
};

class Client {
  public:
    explicit Client(wire::Socket socket) : socket_(std::move(socket)) {}
    void send_input(std::string_view bytes) const;
    void send_size(unsigned short rows, unsigned short columns) const;
    // Output or Exited; nullopt when the monitor went away. Throws Error on anything else.
    std::optional<std::variant<Output, Exited>> receive() const;
    int fd() const { return socket_.fd(); }

  private:
    wire::Socket socket_;
};

class Session {
  public:
    explicit Session(wire::Socket socket) : socket_(std::move(socket)) {}
    // Throws SysError (EAGAIN when the client does not keep up, EPIPE when it left).
    void send_output(container_log::Stream stream, std::string_view bytes) const;
    void send_exited(int code) const;
    // Input or Resize; nullopt when the client left. Throws Error on anything else.
    std::optional<std::variant<Input, Resize>> receive() const;
    int fd() const { return socket_.fd(); }

  private:
    wire::Socket socket_;
};

}  // namespace vessel::attach_protocol
