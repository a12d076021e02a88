// vessel run [OPTIONS] IMAGE_DIR [COMMAND [ARG...]]
#include <unistd.h>

#include <cstdio>

#include "vessel/cli/command.hpp"
#include "vessel/cli/mount_flags.hpp"
#include "vessel/cli/resource_flags.hpp"
#include "vessel/cli/security_flags.hpp"
#include "vessel/core/ids.hpp"
#include "vessel/core/run_request.hpp"
#include "vessel/launch/foreground.hpp"
#include "vessel/launch/launcher.hpp"
#include "vessel/launch/monitor.hpp"
#include "vessel/linux/signals.hpp"
#include "vessel/linux/users.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"
#include "vessel/volumes/volume_store.hpp"

namespace vessel::cli {
namespace {

class RunCommand final : public Command {
  public:
    explicit RunCommand(CLI::App& parent) {
        app = parent.add_subcommand("run", "Run a command in a new container");
        // CLI11 2.1's usage line cannot show the trailing command, which never reaches it.
        app->footer(
            "Usage: vessel run [OPTIONS] IMAGE_DIR [COMMAND [ARG...]]\n"
            "Everything after IMAGE_DIR is the container's command, options included.");
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
        mount_flags_.add_to(*app);
        add_resource_flags(*app, resource_flags_);
        security_.add_to(*app);
        app->add_flag("--explain", explain_,
                      "Trace every kernel step on stderr, with its docs chapter");
        app->add_option("IMAGE_DIR", r_.image, "Unpacked image directory, e.g. rootfs/busybox")
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
        const std::string image_dir = image_dir_or_hint();
        const ImageConfig image = load_image_config(image_dir);
        r_.resources =
            resources::apply_flags(resource_flags_, r_.resources, resources::online_cpus());
        const ResolvedUser user = users::resolve_in_root(fs::open_dir(image_dir).get(), r_.user);
        StateStore store = open_store(global);
        r_.mounts = mount_flags_.to_mounts(store);
        ContainerSpec spec =
            build_spec(r_, ids::new_container_id(), image_dir, image, user, process_env());
        // Last of the checks, first of the changes: bind sources made, volumes created and
        // filled (copy-up). A failed start removes the anonymous volumes made here.
        const volumes::VolumeStore volume_store(data_root(global));
        const auto made = volumes::prepare(spec.mounts, volume_store, image_dir);
        auto forget_volumes = [&] {
            for (const auto& name : made) {
                try {
                    volume_store.remove(name);
                } catch (const std::exception&) {
                }
            }
        };

        if (spec.detach) {
            try {
                std::printf("%s\n", start_detached(store, spec, user).c_str());
            } catch (...) {
                forget_volumes();
                throw;
            }
            return 0;
        }

        // Signals that arrive from here on wait in the queue and are forwarded once the
        // container runs (docs/process.md).
        const sigset_t forwarded = signals::forwarded();
        signals::block(forwarded);
        ::signal(SIGPIPE, SIG_IGN);
        UniqueFd signal_fd = signals::open_signalfd(forwarded);

        RunningContainer container = [&] {
            try {
                return launch(store, spec, user);
            } catch (...) {
                forget_volumes();
                throw;
            }
        }();
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
    // An option that takes a value swallows the image when the value is forgotten (`run -e IMG
    // true` makes IMG the variable and `true` the image): say so rather than only that `true`
    // is no image directory.
    std::string image_dir_or_hint() const {
        try {
            return validate_image_dir(r_.image);
        } catch (const Error& e) {
            for (const auto* values : {&r_.env}) {
                for (const auto& v : *values) {
                    if (v.find('=') == std::string::npos && fs::exists(v) && !v.empty())
                        throw Error(std::string(e.what()) + "; did -e take the image " + v +
                                    " as its value? -e needs KEY=VALUE (or KEY)");
                }
            }
            if (!r_.workdir.empty() && fs::exists(r_.workdir) && r_.workdir.find('/') != 0)
                throw Error(std::string(e.what()) + "; did -w take the image " + r_.workdir +
                            " as its value?");
            throw;
        }
    }

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
    MountFlags mount_flags_;
    resources::Flags resource_flags_;
    SecurityFlags security_;
    bool explain_ = false;
};

}  // namespace

std::unique_ptr<Command> make_run(CLI::App& app) {
    return std::make_unique<RunCommand>(app);
}

}  // namespace vessel::cli
