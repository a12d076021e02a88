#include "vessel/util/explain.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace vessel::explain {
namespace {

struct Trace {
    int fd = -1;
    bool color = false;
    timespec origin{};
    char role[16] = "vessel";
};
Trace trace;

double elapsed_ms() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - trace.origin.tv_sec) * 1e3 + (now.tv_nsec - trace.origin.tv_nsec) / 1e6;
}

// One write(2) per line: lines from the parent and the child interleave but never tear.
void write_line(const std::string& line) {
    size_t off = 0;
    while (off < line.size()) {
        ssize_t n = ::write(trace.fd, line.data() + off, line.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the trace is best effort; never fail a container over it
        off += static_cast<size_t>(n);
    }
}

const char* paint(const char* code) {
    return trace.color ? code : "";
}

// The container id appears in many paths; the trace shows it as $ID after saying so once.
std::string abbreviation;
std::string abbreviate(std::string_view text) {
    std::string out(text);
    if (abbreviation.empty()) return out;
    for (size_t pos; (pos = out.find(abbreviation)) != std::string::npos;)
        out.replace(pos, abbreviation.size(), "$ID");
    return out;
}

}  // namespace

std::string_view chapter_path(Chapter chapter) {
    switch (chapter) {
        case Chapter::kNamespaces:
            return "docs/namespaces.md";
        case Chapter::kHandshake:
            return "docs/handshake.md";
        case Chapter::kFilesystem:
            return "docs/filesystem.md";
        case Chapter::kDevProc:
            return "docs/dev-and-proc.md";
        case Chapter::kCgroups:
            return "docs/cgroups.md";
        case Chapter::kCapabilities:
            return "docs/capabilities.md";
        case Chapter::kSeccomp:
            return "docs/seccomp.md";
        case Chapter::kSecurity:
            return "docs/security.md";
        case Chapter::kMaskedPaths:
            return "docs/masked-paths-and-devices.md";
        case Chapter::kUserNamespaces:
            return "docs/user-namespaces.md";
        case Chapter::kUsers:
            return "docs/users.md";
        case Chapter::kTerminal:
            return "docs/terminal.md";
        case Chapter::kNetwork:
            return "docs/network.md";
        case Chapter::kProcess:
            return "docs/process.md";
        case Chapter::kState:
            return "docs/state.md";
        case Chapter::kLifecycle:
            return "docs/lifecycle.md";
        case Chapter::kMounts:
            return "docs/mounts.md";
    }
    return "docs/README.md";
}

void abbreviate_id(const std::string& id) {
    if (!enabled()) return;
    abbreviation = id;
    write_line(fmt::format("{}{:>11} ID={}{}\n", paint("\033[2m"), "", id, paint("\033[0m")));
}

void enable(int fd) {
    trace.fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    trace.color = ::isatty(fd) == 1 && std::getenv("NO_COLOR") == nullptr;
    clock_gettime(CLOCK_MONOTONIC, &trace.origin);
}

bool enabled() {
    return trace.fd >= 0;
}

void disable() {
    if (trace.fd >= 0) ::close(trace.fd);
    trace.fd = -1;
}
int fd() {
    return trace.fd;
}

void set_role(std::string_view role) {
    size_t n = std::min(role.size(), sizeof(trace.role) - 1);
    std::memcpy(trace.role, role.data(), n);
    trace.role[n] = '\0';
}

void step(Chapter chapter, std::string_view call_in, std::string_view result,
          std::string_view why) {
    if (!enabled()) return;
    const std::string call = abbreviate(call_in);
    const bool failed = result.starts_with("-1");
    // Calls are padded to one column so the notes line up; a long call pushes its note right.
    constexpr size_t kColumn = 70;
    size_t width = call.size() + 3 + result.size();
    std::string pad(width < kColumn ? kColumn - width : 2, ' ');
    std::string note = why.empty() ? fmt::format("# {}", chapter_path(chapter))
                                   : fmt::format("# {}  ({})", why, chapter_path(chapter));
    write_line(fmt::format("{}{:>9.3f}ms{} {}{:<7}{} {} = {}{}{}{}{}{}{}\n", paint("\033[2m"),
                           elapsed_ms(), paint("\033[0m"), paint("\033[36m"), trace.role,
                           paint("\033[0m"), call, paint(failed ? "\033[31m" : "\033[32m"), result,
                           paint("\033[0m"), pad, paint("\033[2m"), note, paint("\033[0m")));
}

void syscall(Chapter chapter, std::string_view call, long rc, int err, std::string_view why) {
    if (!enabled()) return;
    std::string result = rc == -1 ? fmt::format("-1 {} ({})", errno_name(err), std::strerror(err))
                                  : fmt::format("{}", rc);
    step(chapter, call, result, why);
}

void section(std::string_view title) {
    if (!enabled()) return;
    write_line(fmt::format("{}{:>11} {}── {} ──{}\n", paint("\033[2m"), "", paint("\033[33m"),
                           title, paint("\033[0m")));
}

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20)
                    out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
                else
                    out += c;
        }
    }
    return out + "\"";
}

std::string_view errno_name(int err) {
    // strerrorname_np arrived in glibc 2.32; Debian 12 has 2.36.
    const char* name = strerrorname_np(err);
    return name ? name : "E?";
}

}  // namespace vessel::explain
