#include "vessel/core/status.hpp"

#include "vessel/util/clock.hpp"

namespace vessel {

std::string to_string(LiveStatus status) {
    switch (status) {
        case LiveStatus::kCreated:
            return "created";
        case LiveStatus::kRunning:
            return "running";
        case LiveStatus::kExiting:
            return "exiting";
        case LiveStatus::kExited:
            return "exited";
        case LiveStatus::kDead:
            return "dead";
    }
    return "unknown";
}

LiveStatus derive_status(Status recorded, const Liveness& live) {
    switch (recorded) {
        case Status::kExited:
            return LiveStatus::kExited;
        case Status::kCreated:
            return live.owner_alive ? LiveStatus::kCreated : LiveStatus::kDead;
        case Status::kRunning:
            // PID 1 alive means up, even if its owner died: the process is there to be stopped.
            if (live.init_alive) return LiveStatus::kRunning;
            return live.owner_alive ? LiveStatus::kExiting : LiveStatus::kDead;
    }
    return LiveStatus::kDead;
}

std::string ago_text(int64_t then_ns, int64_t now_ns) {
    if (then_ns <= 0) return "";
    return clock::human_duration(now_ns > then_ns ? now_ns - then_ns : 0) + " ago";
}

std::string status_text(const ContainerState& s, LiveStatus status, int64_t now_ns) {
    switch (status) {
        case LiveStatus::kCreated:
            return "Created";
        case LiveStatus::kRunning:
            return "Up " +
                   clock::human_duration(now_ns > s.started_ns ? now_ns - s.started_ns : 0) +
                   (s.paused ? " (Paused)" : "");
        case LiveStatus::kExiting:
            return "Exiting";
        case LiveStatus::kExited: {
            std::string text =
                "Exited (" + (s.exit_code ? std::to_string(*s.exit_code) : "?") + ")";
            if (s.finished_ns > 0) text += " " + ago_text(s.finished_ns, now_ns);
            return text;
        }
        case LiveStatus::kDead:
            return "Dead";
    }
    return "Unknown";
}

std::string command_text(const std::vector<std::string>& args, size_t width) {
    // docker's daemon/list.go: an argument (not the program) with a space in it is shown in
    // single quotes, so `sh -c 'sleep 1'` reads back as typed.
    std::string joined;
    for (size_t i = 0; i < args.size(); ++i) {
        const bool quote = i > 0 && args[i].find(' ') != std::string::npos;
        joined += (i == 0 ? "" : " ") + (quote ? "'" + args[i] + "'" : args[i]);
    }
    // docker's Ellipsis: at most `width` characters (not bytes: a cut never splits a UTF-8
    // sequence), the last one an ellipsis when something was cut.
    std::vector<size_t> starts;  // byte offset of each character
    for (size_t i = 0; i < joined.size(); ++i)
        if ((static_cast<unsigned char>(joined[i]) & 0xC0) != 0x80) starts.push_back(i);
    if (width > 0 && starts.size() > width) joined = joined.substr(0, starts[width - 1]) + "\u2026";
    return "\"" + joined + "\"";
}

}  // namespace vessel
