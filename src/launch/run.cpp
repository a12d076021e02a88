#include "vessel/launch/run.hpp"

#include <signal.h>

#include "vessel/core/ids.hpp"
#include "vessel/core/image.hpp"
#include "vessel/image/reference.hpp"
#include "vessel/image/run_image.hpp"
#include "vessel/launch/foreground.hpp"
#include "vessel/launch/launcher.hpp"
#include "vessel/launch/teardown.hpp"
#include "vessel/linux/signals.hpp"
#include "vessel/linux/users.hpp"
#include "vessel/network/network_store.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel {
namespace {

// Docker says nothing here; a learner wants to know why the command died with 137.
void warn_out_of_memory(const Resources& r) {
    if (r.memory)
        spdlog::warn(
            "the container reached its memory limit ({}) and the kernel's OOM killer ended "
            "a process in it (docs/cgroups.md)",
            resources::format_bytes(static_cast<double>(*r.memory)));
    else
        spdlog::warn("the kernel's OOM killer ended a process in the container");
}

}  // namespace

RunPlan plan_run(const RunRequest& request, const resources::Flags& resource_flags,
                 const std::string& data_root) {
    // IMAGE is an image of the store (`busybox`: its layers become the overlay's lowerdirs,
    // topmost first, joined by ':') or an unpacked directory (anything with a '/' or a leading
    // '.'), docs/images.md.
    std::string image_dir, users_root;
    ImageConfig image;
    image::RunnableImage stored;
    const bool from_store = image::looks_like_image_reference(request.image);
    if (from_store) {
        stored = image::resolve_for_run(image::ImageStore(data_root), request.image);
        if (request.security.userns && stored.lower.find(':') != std::string::npos)
            throw Error("--userns-remap takes an image of one layer or a directory for now; " +
                        request.image + " has several layers");
        image_dir = stored.lower;
        image = stored.config;
        users_root = stored.users_root;
    } else {
        image_dir = validate_image_dir(request.image);
        image = load_image_config(image_dir);
        users_root = image_dir;
    }
    RunRequest r = request;
    r.resources = resources::apply_flags(resource_flags, r.resources, resources::online_cpus());
    RunPlan plan;
    plan.user = users::resolve_in_root(fs::open_dir(users_root).get(),
                                       r.user.empty() ? image.user : r.user);
    plan.spec = build_spec(r, ids::new_container_id(), image_dir, image, plan.user, process_env());
    if (from_store) {
        // The image lease: rmi refuses an image while a state.json names it (docs/images.md).
        plan.spec.image_ref = stored.ref;
        plan.spec.image_id = stored.id;
        plan.spec.stop_signal = stored.stop_signal;
        plan.spec.exposed_ports = stored.exposed_ports;
    }
    plan.spec.data_root = data_root;
    // An unknown network fails here, before anything exists (the default one is made on use).
    if (plan.spec.network == NetworkMode::kBridge &&
        plan.spec.network_name != network::kDefaultNetwork)
        network::NetworkStore(data_root, "").get(plan.spec.network_name);
    if (r.publish_all && plan.spec.network == NetworkMode::kBridge)
        for (auto& mapping : publish_all(plan.spec.exposed_ports))
            plan.spec.ports.push_back(std::move(mapping));
    if (plan.spec.network == NetworkMode::kHost && (!r.ports.empty() || r.publish_all))
        spdlog::warn("published ports are discarded when using host network mode");
    return plan;
}

int run_foreground(const StateStore& store, const RunPlan& plan) {
    // Signals that arrive from here on wait in the queue and are forwarded once the container
    // runs (docs/process.md).
    const sigset_t forwarded = signals::forwarded();
    signals::block(forwarded);
    ::signal(SIGPIPE, SIG_IGN);
    UniqueFd signal_fd = signals::open_signalfd(forwarded);

    RunningContainer c = launch(store, plan.spec, plan.user);
    int code = exit_code::kRuntimeError;
    try {
        code = supervise_foreground(
            {c.owned.init.get(), c.pty_master.get(), plan.spec.interactive, "PID 1"},
            signal_fd.get());
        c.owned.init.reset();  // reaped
    } catch (...) {
        // The teardown kills PID 1 (still ours) and records 125.
        try {
            teardown::end(store, c.state, c.owned, teardown::Ending::kExited, code);
        } catch (const std::exception& e) {
            spdlog::warn("cleaning up: {}", e.what());  // the janitor, still armed, tries again
        }
        throw;
    }
    teardown::end(store, c.state, c.owned, teardown::Ending::kExited, code);
    if (c.state.oom_killed) warn_out_of_memory(plan.spec.resources);
    return code;
}

}  // namespace vessel
