#include "vessel/linux/capabilities.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <fmt/format.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::capabilities {

using explain::Chapter;

int last_cap() {
    // libcap asks the kernel (cap_last_cap, or probes PR_CAPBSET_READ).
    int bits = static_cast<int>(cap_max_bits());
    return bits > 0 ? bits - 1 : caps::kLastKnown;
}

void limit_bounding_set(caps::Mask keep) {
    const int last = last_cap();
    int dropped = 0;
    for (int n = 0; n <= last; ++n) {
        if (keep & (caps::Mask{1} << n)) continue;
        if (cap_drop_bound(static_cast<cap_value_t>(n)) != 0) {
            int err = errno;
            explain::syscall(Chapter::kCapabilities,
                             fmt::format("prctl(PR_CAPBSET_DROP, {})", caps::name(n)), -1, err, "");
            throw SysError("cannot drop " + caps::name(n) + " from the bounding set", err);
        }
        ++dropped;
    }
    explain::step(Chapter::kCapabilities,
                  fmt::format("prctl(PR_CAPBSET_DROP, cap) for {} capabilities", dropped), "0",
                  fmt::format("bounding set: {} left, for good", last + 1 - dropped));
    long rc = cap_reset_ambient();
    int err = errno;
    explain::syscall(Chapter::kCapabilities, "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)", rc,
                     err, "no ambient capabilities survive execve");
    if (rc != 0 && err != EINVAL) throw SysError("cannot clear the ambient capabilities", err);
}

void set_process_sets(caps::Mask keep, bool root) {
    cap_t state = cap_init();  // all three sets empty
    if (!state) throw SysError("cap_init", errno);
    const int last = last_cap();
    // Only what we hold can be kept: --privileged means every capability vessel itself has
    // (vessel may run confined, e.g. without CAP_SYS_RESOURCE, inside another container).
    cap_t current = cap_get_proc();
    std::vector<cap_value_t> values;
    if (root) {
        for (int n = 0; n <= last; ++n) {
            cap_flag_value_t held = CAP_CLEAR;
            if (current) cap_get_flag(current, static_cast<cap_value_t>(n), CAP_PERMITTED, &held);
            if ((keep & (caps::Mask{1} << n)) && held == CAP_SET)
                values.push_back(static_cast<cap_value_t>(n));
        }
    }
    if (current) cap_free(current);
    if (!values.empty()) {
        cap_set_flag(state, CAP_PERMITTED, static_cast<int>(values.size()), values.data(), CAP_SET);
        cap_set_flag(state, CAP_EFFECTIVE, static_cast<int>(values.size()), values.data(), CAP_SET);
    }
    long rc = cap_set_proc(state);
    int err = errno;
    cap_free(state);
    caps::Mask shown = 0;
    for (auto v : values) shown |= caps::Mask{1} << v;
    explain::syscall(
        Chapter::kCapabilities,
        fmt::format("capset({{permitted=effective={:#018x}, inheritable=0}})", shown), rc, err,
        root ? "root of the container holds only these" : "a non-root user holds none");
    if (rc != 0) throw SysError("cannot set the capabilities (capset)", err);
}

}  // namespace vessel::capabilities
