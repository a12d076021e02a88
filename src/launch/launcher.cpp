#include "vessel/launch/launcher.hpp"

#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/launch/child.hpp"
#include "vessel/launch/handshake.hpp"
#include "vessel/launch/seccomp_cache.hpp"
#include "vessel/linux/cgroup_join.hpp"
#include "vessel/linux/container_mounts.hpp"
#include "vessel/linux/cpu_placement.hpp"
#include "vessel/linux/device_cgroup.hpp"
#include "vessel/linux/namespaces.hpp"
#include "vessel/linux/process.hpp"
#include "vessel/linux/rootfs.hpp"
#include "vessel/linux/userns.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"
#include "vessel/volumes/volume_store.hpp"

namespace vessel {
namespace {

using explain::Chapter;

// Kept for `vessel exec`, which then loads the very same filter without compiling. A hard link
// to the cached program when there is one: no bytes to write.
void keep_seccomp_program(const std::string& state_dir, const confinement::Plan& confine) {
    const std::string path = state_dir + "/" + kSeccompProgramName;
    if (!confine.seccomp_file.empty() && ::link(confine.seccomp_file.c_str(), path.c_str()) == 0)
        return;
    fs::write_file_atomic(path, seccomp::serialize(*confine.seccomp));
}

// Removes a half-made container: used on every failure path of launch().
void undo(const StateStore& store, RunningContainer& c) {
    try {
        if (c.pidfd) {
            process::send_signal(c.pidfd.get(), SIGKILL);
            process::wait_exit_code(c.pidfd.get());
        }
        if (c.cgroup) {
            c.cgroup->kill_all();
            c.cgroup->destroy();
        }
        store.remove(c.state);
        c.janitor.dismiss();
    } catch (const std::exception& e) {
        // The janitor is still armed and will try again when we exit.
        spdlog::warn("cleaning up after a failed start: {}", e.what());
    }
}

}  // namespace

RunningContainer launch(const StateStore& store, const ContainerSpec& spec,
                        const ResolvedUser& user) {
    RunningContainer c;
    c.state.spec = spec;
    c.state.created_ns = clock::now_ns();
    c.state.owner = process::identify(::getpid());

    explain::section("the parent: state, cgroup, then clone3");
    explain::abbreviate_id(spec.id);
    // Before anything exists: a bad seccomp profile or --device fails here, leaving nothing.
    const confinement::Plan confine =
        confinement::prepare(spec, user, std::nullopt, seccomp_cache::directory(store.root()));
    const auto layout = cgroups::detect();
    c.cgroup = cgroups::make(layout, spec.id);
    c.state.cgroup = c.cgroup->to_json();
    store.create(c.state);
    explain::step(Chapter::kState,
                  fmt::format("mkdir({}, 0700)", explain::quote(store.dir_of(spec.id))), "0",
                  "the container's state directory");
    try {
        const auto layers = rootfs::Layout::in_state_dir(spec.image, store.dir_of(spec.id));
        rootfs::prepare_layers(layers);
        if (spec.security.userns) userns::prepare(layers, *spec.security.userns);
        // Before clone3 only what it needs: the cgroup2 directory for CLONE_INTO_CGROUP. The
        // rest of the cgroups is made while the child builds its filesystem (below).
        c.cgroup->create_clone_target();

        // On cgroup v1 the child moves itself into its cgroups (cgroup_join.hpp: a process
        // moving its one thread through `tasks` skips the 7-15 ms wait a move by pid costs).
        // Not in a new user namespace: its unmapped uid may not write the host's cgroup files.
        const bool self_join = !spec.security.userns;

        // -v/--mount sources, copied here (in the host's mount namespace, so that shared and
        // slave binds join the host's peer groups); the child inherits the fds.
        auto mount_sources = container_mounts::open_sources(spec.mounts);
        auto [parent_end, child_end] = Channel::make_pair();
        bool placed = false;
        const bool complete = c.cgroup->complete_after_clone();
        auto child = namespaces::clone_child(namespaces::clone_flags(spec, complete),
                                             c.cgroup->clone_fd(), placed);
        if (child.pid == 0) {
            // The child: drop the parent's handles before anything can block, so that the
            // parent's death reads as end-of-file here.
            parent_end.close();
            ChildPlan plan{&spec,    layers,    !(placed && complete), user, c.cgroup.get(),
                           &confine, self_join, &mount_sources};
            run_child(plan, std::move(child_end));
        }
        c.pidfd = std::move(child.pidfd);
        c.state.init = process::identify(child.pid);
        child_end.close();

        UniqueFd root;  // --userns=remap: maps written, the root made here, sent with kGo
        if (spec.security.userns) {
            root = userns::setup_from_parent(child.pid, *spec.security.userns, layers,
                                             confine.ulimits);
            container_mounts::idmap(mount_sources, child.pid);
        }
        parent_end.send(Message::kGo, 0, 0, {}, root.get());
        explain::step(Chapter::kHandshake, "sendmsg(handshake, kGo)", "1",
                      "the child builds its filesystem; we make its cgroups meanwhile");
        cpu_placement::make_room_for(child.pid);  // so that "meanwhile" is true (cpu_placement.hpp)

        // The parent's half of the work, on the other CPU while the child mounts: the janitor,
        // cgroups and their limits, device rules, the seccomp program kept for exec. The child
        // execs nothing before kReady, so no command ever runs without its janitor; should
        // vessel die in the few microseconds before the fork, the kernel still kills the child
        // (PR_SET_PDEATHSIG) and `vessel rm` removes what is left (docs/process.md).
        c.janitor = Janitor::start(store, spec.id);
        c.cgroup->create(spec.resources);
        device_cgroup::apply(*c.cgroup, confine.device_rules);
        if (self_join)
            cgroups::JoinTarget::open(c.state.cgroup).add(child.pid, placed);  // clone3 could not
        else if (!(placed && complete))
            c.cgroup->add_process(child.pid);
        if (confine.seccomp) keep_seccomp_program(store.dir_of(spec.id), confine);
        try {
            parent_end.send(Message::kReady);
            explain::step(Chapter::kHandshake, "sendmsg(handshake, kReady)", "1",
                          "its cgroups are ready: the child may join them");
        } catch (const SysError& e) {
            // The child is gone already; its kError, waiting in the channel, says why.
            if (e.err() != EPIPE) throw;
        }
        c.pty_master = await_exec(parent_end);

        c.state.status = Status::kRunning;
        c.state.started_ns = clock::now_ns();
        auto lock = store.lock(spec.id);
        store.save(c.state);
        return c;
    } catch (...) {
        undo(store, c);
        throw;
    }
}

void finish(const StateStore& store, RunningContainer& c, int exit_code) {
    explain::section("the end: clean up");
    if (c.cgroup) {
        c.cgroup->kill_all();
        c.state.oom_killed = c.cgroup->oom_killed();
        c.cgroup->destroy();
        c.cgroup.reset();
    }
    {
        auto lock = store.lock(c.state.spec.id);
        if (c.state.spec.remove) {
            store.remove(c.state);
            explain::step(Chapter::kState, fmt::format("rm -r {}", store.dir_of(c.state.spec.id)),
                          "0", "--rm: nothing of the container is left");
            volumes::remove_anonymous(store, c.state.spec);  // and its anonymous volumes
        } else {
            try {
                // `vessel update` may have changed the limits on disk since the launch.
                c.state.spec.resources = store.load(c.state.spec.id).spec.resources;
            } catch (const Error&) {
            }
            c.state.status = Status::kExited;
            c.state.exit_code = exit_code;
            c.state.finished_ns = clock::now_ns();
            c.state.cgroup = nlohmann::json::object();
            store.save(c.state);
        }
    }
    c.janitor.dismiss();
}

}  // namespace vessel
