// vessel exec [-i] [-t] [-d] [-e KEY=VALUE] [-w DIR] [-u USER] CONTAINER COMMAND [ARG...]
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vessel/cli/command.hpp"
#include "vessel/core/exec_request.hpp"
#include "vessel/launch/exec_into.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::cli {
namespace {

class ExecCommand final : public Command {
  public:
    explicit ExecCommand(CLI::App& parent) {
        app = parent.add_subcommand("exec", "Run a command in a running container");
        app->footer(
            "Usage: vessel exec [OPTIONS] CONTAINER COMMAND [ARG...]\n"
            "Everything after CONTAINER is the command, options included.");
        app->add_flag("-i,--interactive", r_.interactive, "Keep stdin attached");
        app->add_flag("-t,--tty", r_.tty, "Allocate a pseudo-terminal");
        app->add_flag("-d,--detach", r_.detach, "Start the command and return at once");
        app->add_option("-e,--env", r_.env, "Set an environment variable (KEY=VALUE, or KEY)")
            ->allow_extra_args(false);
        app->add_option("-w,--workdir", r_.workdir, "Working directory (default: the container's)");
        app->add_option("-u,--user", r_.user,
                        "User: USER[:GROUP] or UID[:GID] (default: the container's)");
        app->add_flag("--explain", explain_,
                      "Trace every kernel step on stderr, with its docs chapter");
        app->add_option("CONTAINER", container_, "Container name, id or unique id prefix")
            ->required();
    }

    bool has_trailing_command() const override { return true; }

    int execute(const GlobalOptions& global) override {
        r_.command = trailing;
        // Docker's words and exit status when -it has no terminal to read: otherwise a shell in
        // the container waits forever on a pty nobody types into. Unlike docker, input piped in
        // from a terminal session (`printf 'cmd\nexit\n' | vessel exec -it c sh`) is still
        // relayed, as vessel always did (docs/commands.md).
        if (r_.tty && r_.interactive && !stdin_can_type())
            throw Error("the input device is not a TTY", 1);
        require_root();
        if (explain_) explain::enable(STDERR_FILENO);
        StateStore store = open_store(global);
        return exec_into(store, store.resolve(container_), r_);
    }

  private:
    // Whether stdin can bring what a terminal would: a terminal, or (with our stdout on one)
    // a pipe or file that still has something to read. /dev/null, and an empty pipe whose writer
    // is gone, cannot.
    static bool stdin_can_type() {
        if (::isatty(STDIN_FILENO) == 1) return true;
        if (::isatty(STDOUT_FILENO) != 1) return false;
        struct stat st {};
        if (::fstat(STDIN_FILENO, &st) != 0 || S_ISCHR(st.st_mode)) return false;
        pollfd p{STDIN_FILENO, POLLIN, 0};
        if (::poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) && !(p.revents & POLLIN)) return false;
        return true;
    }

    ExecRequest r_;
    std::string container_;
    bool explain_ = false;
};

}  // namespace

std::unique_ptr<Command> make_exec(CLI::App& app) {
    return std::make_unique<ExecCommand>(app);
}

}  // namespace vessel::cli
