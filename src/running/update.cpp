#include "vessel/running/update.hpp"

#include "vessel/linux/cgroups.hpp"
#include "vessel/util/explain.hpp"

namespace vessel {

Resources update_resources(const StateStore& store, const std::string& id,
                           const resources::Flags& flags) {
    auto lock = store.lock(id);
    ContainerState state = store.load(id);
    const Resources wanted =
        resources::apply_flags(flags, state.spec.resources, resources::online_cpus());
    if (state.status == Status::kRunning && !state.cgroup.empty()) {
        explain::abbreviate_id(id);
        explain::section("update: the limits that change, in the container's cgroup");
        cgroups::from_json(state.cgroup)->set_limits(wanted, state.spec.resources);
    }
    state.spec.resources = wanted;
    store.save(state);
    return wanted;
}

}  // namespace vessel
