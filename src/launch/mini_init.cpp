#include "vessel/launch/mini_init.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/linux/privileges.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/process_title.hpp"

namespace vessel::mini_init {
namespace {

// Signals that mean "this process itself faulted" are left to act on init itself.
sigset_t signals_to_handle() {
    sigset_t set;
    sigfillset(&set);
    for (int sig : {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU})
        sigdelset(&set, sig);
    return set;
}

[[noreturn]] void serve(pid_t command) {
    for (;;) {
        sigset_t set = signals_to_handle();
        siginfo_t info{};
        int sig = ::sigwaitinfo(&set, &info);
        if (sig < 0) continue;  // EINTR
        if (sig != SIGCHLD) {
            ::kill(command, sig);
            continue;
        }
        // Reap everything that has exited: the command, and any orphan that was re-parented to us.
        for (;;) {
            int status = 0;
            pid_t pid = ::waitpid(-1, &status, WNOHANG);
            if (pid <= 0) break;
            if (pid != command) continue;
            // The container's status is the command's. The kernel kills the rest of the pid
            // namespace when we, its init, exit.
            ::_exit(WIFEXITED(status) ? WEXITSTATUS(status)
                                      : exit_code::kSignalBase + WTERMSIG(status));
        }
    }
}

}  // namespace

void become_init_and_fork(bool tty) {
    sigset_t set = signals_to_handle();
    ::sigprocmask(SIG_BLOCK, &set, nullptr);  // from here, signals queue for sigwaitinfo
    pid_t pid = ::fork();
    int err = errno;
    explain::syscall(explain::Chapter::kProcess, "fork()", pid, err,
                     "--init: we stay PID 1, the child runs the command");
    if (pid < 0) throw SysError("fork for --init", err);
    if (pid == 0) {
        explain::set_role("command");
        // Its own process group, in the foreground of the pty, so Ctrl-C reaches it directly.
        ::setpgid(0, 0);
        if (tty) ::tcsetpgrp(0, ::getpid());
        return;
    }
    explain::set_role("init");
    process_title::set("vessel-init");  // not the host's command line (util/process_title.hpp)
    // init runs vessel's own binary: not dumpable, so nothing in the container can open
    // /proc/1/exe (vessel's file on the host), /proc/1/fd or /proc/1/mem (CVE-2019-5736).
    privileges::set_non_dumpable();
    // Keep nothing of vessel's: the handshake (the parent reads end-of-file once the command has
    // exec'd), the trace, the janitor's pipe... (fds 0-2 stay: they are the container's stdio).
    ::close_range(3, ~0U, 0);
    serve(pid);
}

}  // namespace vessel::mini_init
