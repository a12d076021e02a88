// The monitor's one word to `vessel run -d` (docs/lifecycle.md): "started" with the container's
// id, or the error that stopped it, with its exit code. `vessel run -d` prints the id (or the
// error) and exits; the monitor stays.
//
//   vessel run -d (Waiter)                    monitor (Reporter)
//   fork ──────────────────────────────────▶  launch()
//   await_started()    ◀──────────────────    started(id) | failed(code, text)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "vessel/launch/wire.hpp"

namespace vessel::monitor_channel {

enum class Message : uint32_t {
    kStarted = 1,  // the container's command runs; text: its id
    kFailed,       // the launch failed; a: the exit code, text: why
};

class Reporter {
  public:
    explicit Reporter(wire::Socket socket) : socket_(std::move(socket)) {}
    // Both say nothing when `vessel run -d` is gone (killed meanwhile): nobody listens.
    void started(const std::string& id) const;
    void failed(int exit_code, const std::string& text) const;
    // Whether the word has not been said yet (the socket is still open).
    bool open() const { return socket_.fd() >= 0; }
    void close() { socket_.close(); }

  private:
    void tell(Message type, int code, std::string_view text) const;
    wire::Socket socket_;
};

class Waiter {
  public:
    explicit Waiter(wire::Socket socket) : socket_(std::move(socket)) {}
    // The container's id once it runs. Throws Error with the monitor's exit code and reason
    // when it failed, and when the monitor died or said anything else.
    std::string await_started() const;
    void close() { socket_.close(); }

  private:
    wire::Socket socket_;
};

// The first for `vessel run -d`, the second for the monitor.
std::pair<Waiter, Reporter> make_pair();

}  // namespace vessel::monitor_channel
