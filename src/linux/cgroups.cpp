// Layout detection and the choice of backend (cgroup_v1.cpp, cgroup_v2.cpp).
#include "vessel/linux/cgroups.hpp"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <fmt/format.h>

#include "vessel/linux/cgroup_v1.hpp"
#include "vessel/linux/cgroup_v2.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::cgroups {

std::string to_string(Layout layout) {
    switch (layout) {
        case Layout::kUnified:
            return "unified";
        case Layout::kHybrid:
            return "hybrid";
        case Layout::kLegacy:
            return "legacy";
    }
    return "unknown";
}

namespace {

Layout layout_from_string(const std::string& text) {
    if (text == "unified") return Layout::kUnified;
    if (text == "hybrid") return Layout::kHybrid;
    if (text == "legacy") return Layout::kLegacy;
    throw Error("unknown cgroup layout \"" + text + "\" in state.json");
}

bool is_cgroup2(const std::string& path) {
    struct statfs st {};
    return ::statfs(path.c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

}  // namespace

Layout detect(const std::string& mount_root) {
    Layout layout = is_cgroup2(mount_root)                ? Layout::kUnified
                    : is_cgroup2(mount_root + "/unified") ? Layout::kHybrid
                                                          : Layout::kLegacy;
    explain::step(explain::Chapter::kCgroups, fmt::format("statfs({})", explain::quote(mount_root)),
                  "0", fmt::format("cgroup layout: {}", to_string(layout)));
    return layout;
}

std::unique_ptr<Cgroup> make(Layout layout, const std::string& id, const std::string& mount_root) {
    if (layout == Layout::kUnified) return std::make_unique<CgroupV2>(mount_root, id);
    return std::make_unique<CgroupV1>(mount_root, id, layout == Layout::kHybrid);
}

Resources no_limits() {
    Resources none;
    none.pids_limit.reset();
    return none;
}

std::unique_ptr<Cgroup> from_json(const nlohmann::json& j) {
    return make(layout_from_string(j.at("layout").get<std::string>()),
                j.at("id").get<std::string>(), j.value("root", std::string(kMountRoot)));
}

}  // namespace vessel::cgroups
