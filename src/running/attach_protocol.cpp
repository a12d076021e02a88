#include "vessel/running/attach_protocol.hpp"

#include <fmt/format.h>

#include "vessel/util/error.hpp"

namespace vessel::attach_protocol {
namespace {

uint32_t type(Message m) {
    return static_cast<uint32_t>(m);
}

}  // namespace

void Client::send_input(std::string_view bytes) const {
    socket_.send(type(Message::kInput), 0, 0, bytes);
}

void Client::send_size(unsigned short rows, unsigned short columns) const {
    socket_.send(type(Message::kResize), rows, columns);
}

std::optional<std::variant<Output, Exited>> Client::receive() const {
    auto msg = socket_.receive();
    if (!msg) return std::nullopt;
    switch (static_cast<Message>(msg->type)) {
        case Message::kOutput:
            return Output{
                msg->a == 2 ? container_log::Stream::kStderr : container_log::Stream::kStdout,
                std::move(msg->text)};
        case Message::kExited:
            return Exited{msg->a};
        default:
            throw Error(
                fmt::format("attach: expected kOutput or kExited from the monitor, got "
                            "message {}",
                            msg->type));
    }
}

void Session::send_output(container_log::Stream stream, std::string_view bytes) const {
    socket_.send(type(Message::kOutput), stream == container_log::Stream::kStderr ? 2 : 1, 0,
                 bytes);
}

void Session::send_exited(int code) const {
    socket_.send(type(Message::kExited), code);
}

std::optional<std::variant<Input, Resize>> Session::receive() const {
    auto msg = socket_.receive();
    if (!msg) return std::nullopt;
    switch (static_cast<Message>(msg->type)) {
        case Message::kInput:
            return Input{std::move(msg->text)};
        case Message::kResize:
            return Resize{static_cast<unsigned short>(msg->a), static_cast<unsigned short>(msg->b)};
        default:
            throw Error(fmt::format(
                "attach: expected kInput or kResize from a client, got message {}", msg->type));
    }
}

}  // namespace vessel::attach_protocol
