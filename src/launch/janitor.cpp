#include "vessel/launch/janitor.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <unistd.h>

#include "vessel/launch/teardown.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/log.hpp"

namespace vessel {
namespace {

constexpr char kDismissed = 'd';

[[noreturn]] void janitor_main(int read_fd, const StateStore& store, const std::string& id) {
    // Out of vessel's session and process group, deaf to the terminal's signals: Ctrl-C or a
    // `kill -9 -PGID` aimed at vessel must not take the janitor with it.
    ::setsid();
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE})
        ::signal(sig, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Nothing of vessel's stays open here, so nobody waits on us: a test harness reading
    // vessel's stdout sees end-of-file when vessel exits.
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd <= 2; ++fd) ::dup2(null, fd);
    if (read_fd != 3) {
        ::dup2(read_fd, 3);
        read_fd = 3;
    }
    ::close_range(4, ~0U, 0);

    char byte = 0;
    ssize_t n;
    while ((n = ::read(read_fd, &byte, 1)) < 0 && errno == EINTR) {
    }
    if (n == 1 && byte == kDismissed) ::_exit(0);
    try {
        // The kernel SIGKILLed PID 1 when its owner died (PR_SET_PDEATHSIG): that is its exit.
        teardown::end_recorded(store, id, teardown::Ending::kOwnerDied,
                               exit_code::kSignalBase + SIGKILL);
    } catch (...) {
        ::_exit(1);
    }
    ::_exit(0);
}

}  // namespace

Janitor Janitor::start(const StateStore& store, const std::string& id) {
    int fds[2];
    check(::pipe2(fds, O_CLOEXEC), "pipe2");
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    pid_t pid = ::fork();
    if (pid < 0) throw SysError("fork the janitor", errno);
    if (pid > 0)
        explain::syscall(explain::Chapter::kProcess, "fork()", pid, 0,
                         "the janitor: cleans up if vessel is killed");
    if (pid == 0) {
        write_end.reset();
        janitor_main(read_end.release(), store, id);
    }
    return Janitor(std::move(write_end));
}

void Janitor::dismiss() {
    if (!pipe_) return;
    ssize_t ignored = ::write(pipe_.get(), &kDismissed, 1);
    (void)ignored;
    pipe_.reset();
}

}  // namespace vessel
