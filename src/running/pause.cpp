#include "vessel/running/pause.hpp"

#include "vessel/linux/cgroups.hpp"
#include "vessel/running/control.hpp"
#include "vessel/util/error.hpp"

namespace vessel::control {

void set_paused(const StateStore& store, const std::string& id, bool paused) {
    auto lock = store.lock(id);
    ContainerState state = store.load(id);
    if (observe(state) != LiveStatus::kRunning)
        throw Error("container " + display_name(state) + " is not running");
    if (state.paused == paused)
        throw Error("container " + display_name(state) +
                    (paused ? " is already paused" : " is not paused"));
    cgroups::from_json(state.cgroup)->freeze(paused);
    state.paused = paused;
    store.save(state);
}

void thaw_if_paused(const StateStore& store, const std::string& id) {
    if (!store.load(id).paused) return;
    try {
        set_paused(store, id, false);
    } catch (const Error&) {
        // Not running any more, or thawed meanwhile: nothing is frozen.
    }
}

}  // namespace vessel::control
