#include "vessel/launch/handshake.hpp"

#include <errno.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/util/explain.hpp"

namespace vessel::handshake {
namespace {

using explain::Chapter;

std::string name_of(uint32_t type) {
    switch (static_cast<Message>(type)) {
        case Message::kGo:
        case Message::kReady:
        case Message::kPtyMaster:
        case Message::kError:
        case Message::kCreated:
            return std::string(name(static_cast<Message>(type)));
    }
    return fmt::format("message {}", type);
}

}  // namespace

std::string_view name(Message message) {
    switch (message) {
        case Message::kGo:
            return "kGo";
        case Message::kReady:
            return "kReady";
        case Message::kPtyMaster:
            return "kPtyMaster";
        case Message::kError:
            return "kError";
        case Message::kCreated:
            return "kCreated";
    }
    return "?";
}

std::pair<ParentEnd, ChildEnd> make_pair() {
    auto [parent, child] = wire::Socket::make_pair();
    return {ParentEnd(std::move(parent)), ChildEnd(std::move(child))};
}

void ParentEnd::send_go(int fd) const {
    socket_.send(static_cast<uint32_t>(Message::kGo), 0, 0, {}, fd);
}

bool ParentEnd::send_ready() const {
    try {
        socket_.send(static_cast<uint32_t>(Message::kReady));
        return true;
    } catch (const SysError& e) {
        if (e.err() != EPIPE) throw;
        return false;
    }
}

UniqueFd ParentEnd::await_exec() const {
    return await_end(/*until_created=*/false);
}

UniqueFd ParentEnd::await_created() const {
    return await_end(/*until_created=*/true);
}

UniqueFd ParentEnd::await_end(bool until_created) const {
    UniqueFd pty_master;
    for (;;) {
        auto msg = socket_.receive();
        if (!msg && until_created)
            throw Error(
                "handshake: expected kCreated from the container, got end-of-file (it exited)");
        if (!msg) {
            explain::step(Chapter::kHandshake, "recvmsg(handshake)", "0",
                          "end-of-file: the child's execve succeeded");
            return pty_master;
        }
        switch (static_cast<Message>(msg->type)) {
            case Message::kPtyMaster:
                pty_master = std::move(msg->fd);
                break;
            case Message::kCreated:
                if (!until_created)
                    throw Error("handshake: kCreated from a container that has no exec fifo");
                explain::step(Chapter::kHandshake, "recvmsg(handshake)", "kCreated",
                              "the child waits for `start` on the exec fifo");
                return pty_master;
            case Message::kError:
                explain::step(Chapter::kHandshake, "recvmsg(handshake)",
                              fmt::format("kError{{{}, {}}}", msg->a,
                                          msg->b ? explain::errno_name(msg->b) : "0"),
                              msg->text);
                throw ChildFailed(msg->text, msg->a, msg->b);
            default:
                throw Error(
                    fmt::format("handshake: expected kPtyMaster, kError or {} "
                                "from the container, got {}",
                                until_created ? "kCreated" : "end-of-file", name_of(msg->type)));
        }
    }
}

UniqueFd ChildEnd::await(Message expected, std::string_view why) const {
    auto msg = socket_.receive();
    if (!msg) ::_exit(exit_code::kRuntimeError);  // the parent is gone: nobody to tell
    if (msg->type != static_cast<uint32_t>(expected))
        throw Error(
            fmt::format("handshake: expected {}, got {}", name(expected), name_of(msg->type)));
    explain::step(Chapter::kHandshake, "recvmsg(handshake)", name(expected), why);
    return std::move(msg->fd);
}

UniqueFd ChildEnd::await_go() const {
    return await(Message::kGo, "released by the parent");
}

void ChildEnd::await_ready() const {
    await(Message::kReady, "the parent made our cgroups; join them");
}

void ChildEnd::send_pty_master(int master_fd) const {
    socket_.send(static_cast<uint32_t>(Message::kPtyMaster), 0, 0, {}, master_fd);
    explain::step(Chapter::kHandshake, "sendmsg(handshake, kPtyMaster, SCM_RIGHTS{master})", "1",
                  "vessel relays the terminal");
}

void ChildEnd::send_created() const {
    socket_.send(static_cast<uint32_t>(Message::kCreated));
    explain::step(Chapter::kHandshake, "sendmsg(handshake, kCreated)", "1",
                  "created: everything is ready, nothing of the command has run");
}

void ChildEnd::fail(int code, int err, const std::string& text) const {
    try {
        socket_.send(static_cast<uint32_t>(Message::kError), code, err, text);
    } catch (...) {
        // The parent is gone: after an OCI create (it exits at kCreated), a failure after
        // `start`. Our stderr is the engine's (conmon's pipe, the container's log): say it there.
        const std::string line = "vessel: " + text + "\n";
        [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
    }
    ::_exit(code);
}

}  // namespace vessel::handshake
