// vessel run [OPTIONS] IMAGE [COMMAND [ARG...]]: IMAGE is an image of the store (`busybox`) or
// an unpacked directory (anything with a '/' or starting with '.').
#include <unistd.h>

#include <cstdio>

#include "vessel/cli/command.hpp"
#include "vessel/cli/resource_flags.hpp"
#include "vessel/cli/security_flags.hpp"
#include "vessel/core/ids.hpp"
#include "vessel/core/run_request.hpp"
#include "vessel/image/reference.hpp"
#include "vessel/image/run_image.hpp"
#include "vessel/launch/foreground.hpp"
#include "vessel/launch/launcher.hpp"
#include "vessel/launch/monitor.hpp"
#include "vessel/linux/signals.hpp"
#include "vessel/linux/users.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel::cli {
namespace {

class RunCommand final : public Command {
  public:
    explicit RunCommand(CLI::App& parent) {
        app = parent.add_subcommand("run", "Run a command in a new container");
        app->add_option("--name", r_.name, "Assign a name to the container");
        app->add_option("--hostname", r_.hostname, "Container host name (default: the short id)");
        app->add_option("-e,--env", r_.env, "Set an environment variable (KEY=VALUE, or KEY)")
            ->allow_extra_args(false);
        app->add_option("-w,--workdir", r_.workdir, "Working directory inside the container");
        app->add_option("-u,--user", r_.user, "User to run as: USER[:GROUP] or UID[:GID]");
        app->add_flag("-i,--interactive", r_.interactive, "Keep stdin attached");
        app->add_flag("-t,--tty", r_.tty, "Allocate a pseudo-terminal");
        app->add_flag("-d,--detach", r_.detach,
                      "Run in the background under a monitor and print the container id");
        app->add_flag("--rm", r_.remove, "Remove the container when it exits");
        app->add_flag("--init", r_.init, "Run vessel's minimal init as PID 1 (signals, zombies)");
        app->add_flag("--read-only", r_.read_only, "Mount the container's root read-only");
        app->add_option("--network", r_.network, "Network: none (an empty namespace) or host")
            ->capture_default_str();
        add_resource_flags(*app, resource_flags_);
        security_.add_to(*app);
        app->add_flag("--explain", explain_,
                      "Trace every kernel step on stderr, with its docs chapter");
        app->add_option("--entrypoint", r_.entrypoint,
                        "Overwrite the image's ENTRYPOINT (\"\" clears it)");
        app->add_option("--pull", pull_, "Pull the image: missing or never (no registry yet)")
            ->check(CLI::IsMember({"missing", "never"}))
            ->capture_default_str();
        app->add_option("IMAGE", r_.image,
                        "An image of the store (busybox) or an unpacked directory "
                        "(rootfs/busybox)")
            ->required();
    }

    bool has_trailing_command() const override { return true; }

    int execute(const GlobalOptions& global) override {
        r_.command = trailing;
        r_.security = security_.to_security();
        security_.check_with(r_.network);
        require_root();
        if (explain_) explain::enable(STDERR_FILENO);

        // Everything that can be checked is checked before anything is created.
        std::string image_dir, users_root;
        ImageConfig image;
        image::RunnableImage stored;
        const bool from_store = image::looks_like_image_reference(r_.image);
        if (from_store) {
            stored = image::resolve_for_run(image::ImageStore(global.data_root), r_.image);
            if (r_.security.userns && stored.lower.find(':') != std::string::npos)
                throw Error("--userns-remap takes an image of one layer or a directory for now; " +
                            r_.image + " has several layers");
            image_dir = stored.lower;
            image = stored.config;
            users_root = stored.users_root;
        } else {
            image_dir = validate_image_dir(r_.image);
            image = load_image_config(image_dir);
            users_root = image_dir;
        }
        r_.resources =
            resources::apply_flags(resource_flags_, r_.resources, resources::online_cpus());
        const ResolvedUser user = users::resolve_in_root(fs::open_dir(users_root).get(),
                                                         r_.user.empty() ? image.user : r_.user);
        ContainerSpec spec =
            build_spec(r_, ids::new_container_id(), image_dir, image, user, process_env());
        if (from_store) {
            spec.image_ref = stored.ref;
            spec.image_id = stored.id;
            spec.stop_signal = stored.stop_signal;
            spec.exposed_ports = stored.exposed_ports;
        }
        StateStore store = open_store(global);

        if (spec.detach) {
            std::printf("%s\n", start_detached(store, spec, user).c_str());
            return 0;
        }

        // Signals that arrive from here on wait in the queue and are forwarded once the
        // container runs (docs/process.md).
        const sigset_t forwarded = signals::forwarded();
        signals::block(forwarded);
        ::signal(SIGPIPE, SIG_IGN);
        UniqueFd signal_fd = signals::open_signalfd(forwarded);

        RunningContainer container = launch(store, spec, user);
        int code;
        try {
            code = supervise_foreground(
                {container.pidfd.get(), container.pty_master.get(), spec.interactive, "PID 1"},
                signal_fd.get());
        } catch (...) {
            process_kill_and_finish(store, container);
            throw;
        }
        finish(store, container, code);
        if (container.state.oom_killed) warn_out_of_memory(spec.resources);
        return code;
    }

  private:
    // Docker says nothing here; a learner wants to know why the command died with 137.
    static void warn_out_of_memory(const Resources& r) {
        if (r.memory)
            spdlog::warn(
                "the container reached its memory limit ({}) and the kernel's OOM killer ended "
                "a process in it (docs/cgroups.md)",
                resources::format_bytes(static_cast<double>(*r.memory)));
        else
            spdlog::warn("the kernel's OOM killer ended a process in the container");
    }

    static void process_kill_and_finish(const StateStore& store, RunningContainer& c) {
        if (c.cgroup) c.cgroup->kill_all();
        finish(store, c, exit_code::kRuntimeError);
    }

    RunRequest r_;
    resources::Flags resource_flags_;
    SecurityFlags security_;
    bool explain_ = false;
    std::string pull_ = "missing";
};

}  // namespace

std::unique_ptr<Command> make_run(CLI::App& app) {
    return std::make_unique<RunCommand>(app);
}

}  // namespace vessel::cli
