#include "vessel/launch/teardown.hpp"

#include <signal.h>

#include <optional>

#include <fmt/format.h>

#include "vessel/launch/network_attach.hpp"
#include "vessel/linux/process.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/volumes/volume_store.hpp"

namespace vessel::teardown {
namespace {

using explain::Chapter;

bool removes_everything(Ending how, const ContainerState& state) {
    return how == Ending::kStartFailed || how == Ending::kRemoved || state.spec.remove;
}

// 1. The state: removed, or the ending recorded on what is on disk (`vessel update` may have
// changed the limits since the launch; another process may have recorded an exit already).
void remove_or_record(const StateStore& store, ContainerState& state, Ending how, int exit_code) {
    const std::string& id = state.spec.id;
    std::optional<ContainerLock> lock;
    try {
        lock.emplace(store.lock(id));
    } catch (const Error&) {
        if (!fs::exists(store.dir_of(id))) return;  // removed already (rm, --rm, the janitor)
        throw;
    }
    if (removes_everything(how, state)) {
        store.remove(state);
        explain::step(Chapter::kState, fmt::format("rm -r {}", explain::quote(store.dir_of(id))),
                      "0", "nothing of the container is left");
        return;
    }
    ContainerState recorded;
    try {
        recorded = store.load(id);
    } catch (const Error&) {
        if (!fs::exists(store.state_path(id))) return;
        throw;
    }
    if (recorded.status != Status::kExited) {
        recorded.status = Status::kExited;
        recorded.exit_code = exit_code;
        recorded.finished_ns = clock::now_ns();
    }
    recorded.oom_killed = recorded.oom_killed || state.oom_killed;
    recorded.cgroup = nlohmann::json::object();  // released
    recorded.network.reset();                    // released
    store.save(recorded);
    state = std::move(recorded);
}

}  // namespace

OwnedResources OwnedResources::recorded_in(const ContainerState& state) {
    OwnedResources owned;
    if (!state.cgroup.empty()) owned.cgroup = cgroups::from_json(state.cgroup);
    return owned;
}

void end(const StateStore& store, ContainerState& state, OwnedResources& owned, Ending how,
         int exit_code) {
    explain::section("the end: release what the container owned");
    // 4. PID 1, unless its owner reaped it already. Its death ends its pid namespace.
    if (owned.init && process::send_signal(owned.init.get(), SIGKILL))
        process::wait_exit_code(owned.init.get());
    owned.init.reset();
    // 2. Whatever is left in the cgroup (exec'd processes, a child that never exec'd), then the
    // directories.
    if (owned.cgroup) {
        owned.cgroup->kill_all();
        state.oom_killed = state.oom_killed || owned.cgroup->oom_killed();
        owned.cgroup->destroy();
        owned.cgroup.reset();
    }
    // 6. The network: with PID 1 gone nothing uses its address any more.
    network_attach::release(store, state);
    // 1. The state directory and the name.
    remove_or_record(store, state, how, exit_code);
    // 5. Its anonymous volumes, with --rm or when it never started (docker keeps them for a
    // plain `rm`, unless -v). Named volumes outlive every container.
    if (state.spec.remove || how == Ending::kStartFailed)
        volumes::remove_anonymous(store, state.spec);
    // 3. Last: until here, the janitor would have finished the job had we died.
    owned.janitor.dismiss();
}

void end_recorded(const StateStore& store, const std::string& id, Ending how, int exit_code) {
    ContainerState state;
    try {
        state = store.load(id);
    } catch (const Error&) {
        if (!fs::exists(store.state_path(id))) return;  // gone already
        throw;
    }
    OwnedResources owned = OwnedResources::recorded_in(state);
    end(store, state, owned, how, exit_code);
}

}  // namespace vessel::teardown
