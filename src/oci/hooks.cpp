#include "vessel/oci/hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/util/error.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::oci {
namespace {

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    for (auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

void run_hook(const HookSpec& hook, const std::string& where, const std::string& state) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw SysError("pipe2", errno);
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    // args[0] is the program's name, as in execve; absent, the path is.
    std::vector<std::string> args =
        hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
    auto argv = c_strings(args);
    auto envp = c_strings(hook.env);
    pid_t pid = ::fork();
    if (pid < 0) throw SysError("cannot fork " + where, errno);
    if (pid == 0) {
        ::dup2(read_end.get(), STDIN_FILENO);
        ::execve(hook.path.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
    read_end.reset();
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    // The state goes on stdin; a hook that does not read it must not block us (SIGPIPE off).
    ::signal(SIGPIPE, SIG_IGN);
    (void)!::write(write_end.get(), state.data(), state.size());
    write_end.reset();
    pollfd p{pidfd.get(), POLLIN, 0};
    const int timeout_ms = hook.timeout ? *hook.timeout * 1000 : -1;
    int rc;
    do rc = ::poll(&p, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    if (rc == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        throw Error(fmt::format("{} ({}) timed out after {} s", where, hook.path, *hook.timeout));
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Error(fmt::format("{} ({}) failed: {}", where, hook.path,
                                WIFEXITED(status) ? fmt::format("exit {}", WEXITSTATUS(status))
                                                  : fmt::format("signal {}", WTERMSIG(status))));
}

}  // namespace

void run_hooks(const std::vector<HookSpec>& hooks, const std::string& stage,
               const std::string& state_json) {
    for (size_t i = 0; i < hooks.size(); ++i)
        run_hook(hooks[i], fmt::format("hooks.{}[{}]", stage, i), state_json);
}

}  // namespace vessel::oci
