#include "vessel/running/control.hpp"

#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "vessel/launch/teardown.hpp"
#include "vessel/linux/cgroups.hpp"
#include "vessel/linux/ns_join.hpp"
#include "vessel/linux/process.hpp"
#include "vessel/linux/signals.hpp"
#include "vessel/running/pause.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel::control {
namespace {

using explain::Chapter;
using namespace std::chrono_literals;

// How long the owner gets to record an exit once PID 1 is gone: it kills what is left in the
// cgroup, drains the log and writes state.json, which takes milliseconds.
constexpr auto kOwnerGrace = 10s;

void signal_pidfd(int pidfd, int sig, const std::string& who) {
    bool ok = process::send_signal(pidfd, sig);
    int err = errno;
    explain::syscall(Chapter::kLifecycle,
                     fmt::format("pidfd_send_signal(pidfd, {}, NULL, 0)", signals::name(sig)),
                     ok ? 0 : -1, err, "to " + who + "'s PID 1");
    if (!ok && err != ESRCH)
        throw SysError(fmt::format("cannot send {} to container {}", signals::name(sig), who), err);
}

}  // namespace

Liveness liveness(const ContainerState& s) {
    Liveness live;
    if (s.status == Status::kExited) return live;  // recorded: nothing to ask the kernel
    live.init_alive = process::is_alive(s.init);
    live.owner_alive = process::is_alive(s.owner);
    return live;
}

LiveStatus observe(const ContainerState& s) {
    // The common case, a running container, costs one read of /proc: its owner only matters
    // once PID 1 is gone. (`vessel ps` calls this for every container.)
    if (s.status == Status::kRunning && process::is_alive(s.init)) return LiveStatus::kRunning;
    return derive_status(s.status, liveness(s));
}

std::string display_name(const ContainerState& s) {
    return s.spec.name.empty() ? s.spec.short_id() : s.spec.name;
}

UniqueFd open_init(const ContainerState& s) {
    UniqueFd fd;
    if (s.status == Status::kRunning) fd = process::open_pidfd(s.init);
    if (!fd) throw Error("container " + display_name(s) + " is not running");
    return fd;
}

void kill(const ContainerState& s, int sig) {
    UniqueFd init = open_init(s);
    signal_pidfd(init.get(), sig, display_name(s));
}

bool wait_for_exit(int pidfd, std::chrono::milliseconds timeout) {
    // A pidfd polls readable once its process has exited, for any process, not only children.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{pidfd, POLLIN, 0};
        int rc = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
        if (rc > 0) return true;
        if (rc == 0) return false;
        if (errno != EINTR) throw SysError("poll(pidfd)", errno);
    }
}

void settle(const StateStore& store, const ContainerState& s, std::chrono::milliseconds timeout) {
    if (s.status == Status::kExited) return;
    if (UniqueFd owner = process::open_pidfd(s.owner)) {
        // Still being launched: there is no exit to record (rm -f waits for the launch itself).
        if (s.status == Status::kCreated) return;
        if (wait_for_exit(owner.get(), timeout)) return;
        spdlog::warn("the owner of container {} (pid {}) has not recorded its exit after {} s",
                     display_name(s), s.owner.pid,
                     std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
        return;
    }
    // The owner died without a word, and its janitor too (else the janitor would have done
    // this): do the janitor's job. The exit status is not known; SIGKILL's is what the
    // kernel's PR_SET_PDEATHSIG gave PID 1 when its owner died.
    try {
        teardown::end_recorded(store, s.spec.id, teardown::Ending::kOwnerDied,
                               exit_code::kSignalBase + SIGKILL);
    } catch (const Error& e) {
        if (fs::exists(store.state_path(s.spec.id))) throw;  // else: removed meanwhile, fine
    }
}

std::vector<std::string> stop(const StateStore& store, const std::vector<std::string>& ids, int sig,
                              std::chrono::milliseconds grace) {
    struct Stopping {
        ContainerState state;
        UniqueFd init;
        std::string error;
    };
    std::vector<Stopping> all(ids.size());
    auto attempt = [](Stopping& s, auto&& step) {
        if (!s.error.empty()) return;
        try {
            step();
        } catch (const std::exception& e) {
            s.error = e.what();
        }
    };
    // 1. The stop signal to every one of them.
    for (size_t i = 0; i < ids.size(); ++i) {
        attempt(all[i], [&] {
            thaw_if_paused(store, ids[i]);  // frozen, it would not see the signal (pause.hpp)
            all[i].state = store.load(ids[i]);
            if (all[i].state.status == Status::kRunning)
                all[i].init = process::open_pidfd(all[i].state.init);
            if (all[i].init) signal_pidfd(all[i].init.get(), sig, display_name(all[i].state));
        });
    }
    // 2. One grace period for all; SIGKILL for whoever is still there when it ends.
    const auto deadline = std::chrono::steady_clock::now() + grace;
    for (auto& s : all) {
        attempt(s, [&] {
            if (!s.init) return;
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (wait_for_exit(s.init.get(), std::max(left, std::chrono::milliseconds(0)))) return;
            explain::step(Chapter::kLifecycle, "poll(pidfd, POLLIN)", "0 (timeout)",
                          fmt::format("still running after {} ms: SIGKILL", grace.count()));
            signal_pidfd(s.init.get(), SIGKILL, display_name(s.state));
            if (!wait_for_exit(s.init.get(), kOwnerGrace))
                throw Error("container " + display_name(s.state) + " did not die from SIGKILL");
        });
    }
    // 3. Each owner records its container's exit.
    std::vector<std::string> errors;
    for (auto& s : all) {
        attempt(s, [&] { settle(store, s.state, kOwnerGrace); });
        errors.push_back(s.error);
    }
    return errors;
}

inspect::Observed observe_for_inspect(const StateStore& store, const ContainerState& s) {
    inspect::Observed o;
    const Liveness live = liveness(s);
    o.status = derive_status(s.status, live);
    o.owner_alive = live.owner_alive;
    o.state_dir = store.dir_of(s.spec.id);
    if (o.status == LiveStatus::kRunning) {
        o.namespaces = ns_join::ids_of(s.init.pid);
        // Read after the fact: if PID 1 exited meanwhile, these may name another process's.
        if (!process::is_alive(s.init)) o.namespaces.clear();
    }
    return o;
}

void remove(const StateStore& store, const std::string& id, bool force) {
    // What earlier vessels killed half-way through creating or removing a container left.
    store.sweep();
    ContainerState s;
    try {
        s = store.load(id);
    } catch (const Error& e) {
        // A state file that cannot be read (edited by hand): -f removes the directory anyway.
        if (!force || !fs::exists(store.state_path(id))) throw;
        spdlog::warn("{}; removing its directory anyway", e.what());
        fs::remove_tree(store.dir_of(id));
        return;
    }
    const Liveness live = liveness(s);
    const LiveStatus status = derive_status(s.status, live);
    const bool active = status == LiveStatus::kRunning || status == LiveStatus::kCreated;
    if (active && !force)
        throw Error("cannot remove container " + display_name(s) + ": it is " +
                    (status == LiveStatus::kRunning ? "running" : "starting") +
                    "; stop it first, or use rm -f");
    if (active) {
        if (UniqueFd init = process::open_pidfd(s.init)) {
            signal_pidfd(init.get(), SIGKILL, display_name(s));
            wait_for_exit(init.get(), kOwnerGrace);
        } else if (UniqueFd owner = process::open_pidfd(s.owner)) {
            // Still starting (no PID 1 recorded yet): whatever is in its cgroup is the launch,
            // which fails and cleans up after itself; wait for that.
            if (!s.cgroup.empty()) cgroups::from_json(s.cgroup)->kill_all();
            wait_for_exit(owner.get(), kOwnerGrace);
        }
    }
    settle(store, s, kOwnerGrace);
    teardown::end_recorded(store, id, teardown::Ending::kRemoved, 0);
}

}  // namespace vessel::control
