#include "vessel/linux/signals.hpp"

#include <sys/signalfd.h>

#include <cctype>
#include <cstring>

#include "vessel/util/error.hpp"

namespace vessel::signals {

sigset_t forwarded() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH})
        sigaddset(&set, sig);
    return set;
}

void block(const sigset_t& set) {
    check(::sigprocmask(SIG_BLOCK, &set, nullptr), "sigprocmask");
}

UniqueFd open_signalfd(const sigset_t& set) {
    UniqueFd fd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!fd) throw SysError("signalfd", errno);
    return fd;
}

void reset_for_exec() {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        ::sigaction(sig, &dfl, nullptr);  // fails harmlessly for the reserved RT signals
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

std::optional<int> parse(const std::string& text) {
    if (text.empty()) return std::nullopt;
    if (std::isdigit(static_cast<unsigned char>(text[0]))) {
        int n = 0;
        for (char c : text) {
            if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
            n = n * 10 + (c - '0');
            if (n >= NSIG) return std::nullopt;
        }
        return n > 0 ? std::optional<int>(n) : std::nullopt;
    }
    std::string upper;
    for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper.starts_with("SIG")) upper = upper.substr(3);
    for (int sig = 1; sig < NSIG; ++sig) {
        const char* abbrev = sigabbrev_np(sig);
        if (abbrev && upper == abbrev) return sig;
    }
    return std::nullopt;
}

std::string name(int sig) {
    const char* abbrev = sigabbrev_np(sig);
    return abbrev ? std::string("SIG") + abbrev : "SIG" + std::to_string(sig);
}

}  // namespace vessel::signals
