#include "vessel/launch/monitor_channel.hpp"

#include <fmt/format.h>

#include "vessel/util/error.hpp"

namespace vessel::monitor_channel {

std::pair<Waiter, Reporter> make_pair() {
    auto [cli, monitor] = wire::Socket::make_pair();
    return {Waiter(std::move(cli)), Reporter(std::move(monitor))};
}

void Reporter::tell(Message type, int code, std::string_view text) const {
    try {
        socket_.send(static_cast<uint32_t>(type), code, 0, text);
    } catch (const Error&) {
    }
}

void Reporter::started(const std::string& id) const {
    tell(Message::kStarted, 0, id);
}

void Reporter::failed(int exit_code, const std::string& text) const {
    tell(Message::kFailed, exit_code, text);
}

std::string Waiter::await_started() const {
    auto msg = socket_.receive();
    if (!msg) throw Error("the monitor exited before the container started");
    switch (static_cast<Message>(msg->type)) {
        case Message::kStarted:
            return msg->text;
        case Message::kFailed:
            throw Error(msg->text, msg->a);
    }
    throw Error(fmt::format("monitor: expected kStarted or kFailed, got message {}", msg->type));
}

}  // namespace vessel::monitor_channel
