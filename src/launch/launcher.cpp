#include "vessel/launch/launcher.hpp"

#include <poll.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/launch/cgroup_entry.hpp"
#include "vessel/launch/confinement.hpp"
#include "vessel/launch/handshake.hpp"
#include "vessel/launch/network_attach.hpp"
#include "vessel/launch/run_child.hpp"
#include "vessel/linux/cgroup_join.hpp"
#include "vessel/linux/container_mounts.hpp"
#include "vessel/linux/cpu_placement.hpp"
#include "vessel/linux/device_cgroup.hpp"
#include "vessel/linux/namespaces.hpp"
#include "vessel/linux/process.hpp"
#include "vessel/linux/rootfs.hpp"
#include "vessel/linux/seccomp_cache.hpp"
#include "vessel/linux/userns.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/log.hpp"

namespace vessel {
namespace {

using explain::Chapter;

// The parent's half of putting PID 1 into its cgroups (cgroup_entry.hpp).
void enter_cgroups(const RunningContainer& c, const namespaces::Child& child, CgroupEntry entry) {
    switch (entry) {
        case CgroupEntry::kBornInside:
            return;
        case CgroupEntry::kJoinsItself:
            // The v1 hierarchies are the child's to join; the cgroup2 directory ours, had clone3
            // not placed it there.
            if (!child.placed_in_cgroup && c.owned.cgroup->clone_fd() >= 0)
                cgroups::JoinTarget::open(c.state.cgroup).add(child.pid, false);
            return;
        case CgroupEntry::kMovedByParent:
            c.owned.cgroup->add_process(child.pid);
            return;
    }
}

// Whether the process of `pidfd` exits within `ms` milliseconds (a pidfd polls readable then).
// A child on its way out has lost its namespaces before its pidfd says so: hence the wait.
bool exits_within(int pidfd, int ms) {
    pollfd p{.fd = pidfd, .events = POLLIN, .revents = 0};
    return ::poll(&p, 1, ms) > 0;
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
    c.owned.cgroup = cgroups::make(cgroups::detect(), spec.id);
    c.state.cgroup = c.owned.cgroup->to_json();
    // Owned resource 1 (teardown.hpp): from here on, a failure releases what exists.
    store.create(c.state);
    explain::step(Chapter::kState,
                  fmt::format("mkdir({}, 0700)", explain::quote(store.dir_of(spec.id))), "0",
                  "the container's state directory");
    try {
        // Owned resource 6: the network's lease and ports, recorded before the link is made;
        // /etc/hosts and its two siblings in the state directory (not for an OCI bundle, whose
        // config.json says what it mounts).
        const bool own_etc_files = spec.rootfs.empty();
        if (own_etc_files) {
            network_attach::prepare(store, c.state);
            auto lock = store.lock(spec.id);
            store.save(c.state);
        }
        const auto layers = rootfs::Layout::in_state_dir(spec.image, store.dir_of(spec.id));
        rootfs::prepare_layers(layers);
        if (spec.security.userns) userns::prepare(layers, *spec.security.userns);
        // Before clone3 only what it needs: the cgroup2 directory for CLONE_INTO_CGROUP. The
        // rest of the cgroups is made while the child builds its filesystem (below).
        c.owned.cgroup->create_clone_target();

        // -v/--mount sources, copied here (in the host's mount namespace, so that shared and
        // slave binds join the host's peer groups); the child keeps these fds, and only these,
        // of ours until it has attached them (container_mounts.hpp).
        const std::vector<MountSpec> mounts =
            own_etc_files ? network_attach::with_etc_files(store, spec) : spec.mounts;
        auto mount_sources = container_mounts::open_sources(mounts);
        auto [parent_end, child_end] = handshake::make_pair();
        const bool complete = c.owned.cgroup->complete_after_clone();
        auto child = namespaces::clone_child(namespaces::clone_flags(spec, complete),
                                             c.owned.cgroup->clone_fd());
        const CgroupEntry entry =
            decide_cgroup_entry(complete, child.placed_in_cgroup, spec.security.userns.has_value());
        if (child.pid == 0) {
            // The child: drop the parent's handles before anything can block, so that the
            // parent's death reads as end-of-file here.
            parent_end.close();
            run_child({.spec = &spec,
                       .layout = layers,
                       .cgroup = c.owned.cgroup.get(),
                       .cgroup_entry = entry,
                       .confinement = &confine,
                       .mount_sources = &mount_sources,
                       .mounts = &mounts,
                       .network = c.state.network ? &*c.state.network : nullptr},
                      std::move(child_end));
        }
        c.owned.init = std::move(child.pidfd);
        c.state.init = process::identify(child.pid);
        child_end.close();

        UniqueFd root;  // --userns=remap: maps written, the root made here, sent with kGo
        if (spec.security.userns) {
            root = userns::setup_from_parent(child.pid, *spec.security.userns, layers,
                                             confine.ulimits);
            container_mounts::idmap(mount_sources, child.pid);
        }
        parent_end.send_go(root.get());
        explain::step(Chapter::kHandshake, "sendmsg(handshake, kGo)", "1",
                      "the child builds its filesystem; we make its cgroups meanwhile");
        cpu_placement::make_room_for(child.pid);  // so that "meanwhile" is true (cpu_placement.hpp)

        // The parent's half of the work, on the other CPU while the child mounts: the janitor,
        // cgroups and their limits, device rules, the seccomp program kept for exec. The child
        // execs nothing before kReady, so no command ever runs without its janitor; should
        // vessel die in the few microseconds before the fork, the kernel still kills the child
        // (PR_SET_PDEATHSIG) and `vessel rm` removes what is left (docs/process.md).
        c.owned.janitor = Janitor::start(store, spec.id);
        c.owned.cgroup->create(spec.resources);
        device_cgroup::apply(*c.owned.cgroup, confine.device_rules);
        enter_cgroups(c, child, entry);
        try {
            network_attach::connect(store, c.state, child.pid);
        } catch (...) {
            // A child that failed while we made its link (a mount refused, say) took its network
            // namespace with it: its own error, waiting in the channel, says why.
            if (exits_within(c.owned.init.get(), 200)) parent_end.await_exec();
            throw;
        }
        if (confine.seccomp)
            seccomp_cache::keep(store.dir_of(spec.id), *confine.seccomp, confine.seccomp_file);
        // False when the child is gone already: its kError, waiting in the channel, says why.
        if (parent_end.send_ready())
            explain::step(Chapter::kHandshake, "sendmsg(handshake, kReady)", "1",
                          "its cgroups are ready: the child may join them");
        // OCI create: the child waits for `start` on its exec fifo, and says so with kCreated.
        c.pty_master =
            spec.exec_fifo.empty() ? parent_end.await_exec() : parent_end.await_created();

        c.state.status = Status::kRunning;
        c.state.started_ns = clock::now_ns();
        auto lock = store.lock(spec.id);
        store.save(c.state);
        return c;
    } catch (...) {
        try {
            teardown::end(store, c.state, c.owned, teardown::Ending::kStartFailed,
                          exit_code::kRuntimeError);
        } catch (const std::exception& e) {
            // The janitor, if there is one, is still armed and tries again when we exit.
            spdlog::warn("cleaning up after a failed start: {}", e.what());
        }
        throw;
    }
}

}  // namespace vessel
