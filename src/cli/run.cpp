// vessel run [OPTIONS] IMAGE [COMMAND [ARG...]]: IMAGE is an image of the store (`busybox`) or
// an unpacked directory (anything with a '/' or starting with '.').
#include <unistd.h>

#include <cstdio>

#include "vessel/cli/command.hpp"
#include "vessel/cli/mount_flags.hpp"
#include "vessel/cli/network_flags.hpp"
#include "vessel/cli/resource_flags.hpp"
#include "vessel/cli/security_flags.hpp"
#include "vessel/core/run_request.hpp"
#include "vessel/launch/monitor.hpp"
#include "vessel/launch/run.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"
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
        network_flags_.add_to(*app);
        mount_flags_.add_to(*app);
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
        network_flags_.apply_to(r_);
        security_.check_with(r_.network);
        require_root();
        if (explain_) explain::enable(STDERR_FILENO);

        // Everything that can be checked is checked before anything is created.
        StateStore store = open_store(global);
        r_.mounts = mount_flags_.to_mounts(store);
        RunPlan plan = plan_with_hints(data_root(global));
        // Last of the checks, first of the changes: bind sources made, volumes created and
        // filled (copy-up). A start that fails before the container exists removes the
        // anonymous volumes made here (afterwards, the teardown does).
        const volumes::VolumeStore volume_store(data_root(global));
        // Copy-up reads the image's root: for an image of the store, its topmost layer only
        // for now (spec.image lists the layers, topmost first, joined by ':').
        const auto made = volumes::prepare(plan.spec.mounts, volume_store,
                                           plan.spec.image.substr(0, plan.spec.image.find(':')));
        try {
            if (plan.spec.detach) {
                std::printf("%s\n", start_detached(store, plan.spec, plan.user).c_str());
                return 0;
            }
            return run_foreground(store, plan);
        } catch (...) {
            for (const auto& name : made) {
                try {
                    volume_store.remove(name);
                } catch (const std::exception&) {
                    // gone with the teardown already
                }
            }
            throw;
        }
    }

  private:
    // An option that takes a value swallows the image when the value is forgotten (`run -e IMG
    // true` makes IMG the variable and `true` the image): say so rather than only that `true`
    // is no image.
    RunPlan plan_with_hints(const std::string& data_root) const {
        try {
            return plan_run(r_, resource_flags_, data_root);
        } catch (const Error& e) {
            if (fs::exists(r_.image)) throw;  // the image was found: the error is about it
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

    RunRequest r_;
    MountFlags mount_flags_;
    NetworkFlags network_flags_;
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
