#include "nft_helper_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/sibling_program.hpp"
#include "vessel/util/unique_fd.hpp"

extern char** environ;

namespace vessel::network::nft {
namespace {

UniqueFd pipe_end(int fds[2], int keep) {
    ::close(fds[1 - keep]);
    return UniqueFd(fds[keep]);
}

// The script as a file in memory: the helper's stdin, complete before it starts, so that vessel
// never writes into a pipe the helper may have closed (SIGPIPE).
UniqueFd script_file(const std::string& input) {
    UniqueFd fd(static_cast<int>(check(::memfd_create("nft-script", MFD_CLOEXEC), "memfd_create")));
    for (size_t done = 0; done < input.size();) {
        const ssize_t n = ::write(fd.get(), input.data() + done, input.size() - done);
        if (n < 0 && errno != EINTR) throw SysError("write the nft script", errno);
        if (n > 0) done += static_cast<size_t>(n);
    }
    check(::lseek(fd.get(), 0, SEEK_SET), "lseek");
    return fd;
}

// Reads the helper's stdout and stderr until both close, with poll so that neither pipe can
// fill up while we wait on the other.
void collect(int out, int err, HelperResult& result) {
    std::vector<pollfd> fds = {{out, POLLIN, 0}, {err, POLLIN, 0}};
    while (!fds.empty()) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            throw SysError("poll vessel-nft's pipes", errno);
        }
        for (size_t i = fds.size(); i-- > 0;) {
            if (fds[i].revents == 0) continue;
            char buffer[4096];
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0)
                (fds[i].fd == out ? result.output : result.error)
                    .append(buffer, static_cast<size_t>(n));
            else if (n == 0 || errno != EINTR)
                fds.erase(fds.begin() + static_cast<long>(i));
        }
    }
}

HelperResult run(const std::vector<std::string>& args, const std::string& input) {
    std::vector<char*> argv;
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    UniqueFd script = script_file(input);
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw SysError("pipe", errno);
    if (::pipe2(err, O_CLOEXEC) != 0) {
        ::close(out[0]), ::close(out[1]);
        throw SysError("pipe", errno);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, script.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    UniqueFd stdout_r = pipe_end(out, 0), stderr_r = pipe_end(err, 0);
    if (rc != 0) throw SysError("cannot start " + args[0] + " (installed beside vessel?)", rc);
    HelperResult result;
    collect(stdout_r.get(), stderr_r.get(), result);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return result;
}

}  // namespace

HelperResult apply(const std::string& script, const std::string& why) {
    HelperResult result = run({sibling_program("vessel-nft")}, script);
    // The trace shows the script as the shell command that would apply it, one transaction;
    // on failure, the first line of libnftables' message ("Error: ... File exists").
    if (explain::enabled())
        explain::step(explain::Chapter::kNetwork, "nft -f - <<'EOF'\n" + script + "EOF",
                      result.ok ? "0" : "-1 " + result.error.substr(0, result.error.find('\n')),
                      why);
    return result;
}

HelperResult list() {
    HelperResult result = run({sibling_program("vessel-nft"), "--list"}, "");
    if (explain::enabled())
        explain::step(explain::Chapter::kNetwork, "nft -j list table ip vessel",
                      result.ok ? "0" : "-1 " + result.error.substr(0, result.error.find('\n')),
                      "the host ports containers publish");
    return result;
}

}  // namespace vessel::network::nft
