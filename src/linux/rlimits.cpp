#include "vessel/linux/rlimits.hpp"

#include <sys/resource.h>

#include <algorithm>

#include <fmt/format.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::rlimits {

void apply(pid_t pid, const std::vector<Ulimit>& limits) {
    for (const auto& u : limits) {
        auto resource = rlimit_resource(u.name);
        if (!resource) throw Error("unknown rlimit " + u.name);
        rlimit64 value{u.soft == Ulimit::kUnlimited ? RLIM64_INFINITY : u.soft,
                       u.hard == Ulimit::kUnlimited ? RLIM64_INFINITY : u.hard};
        long rc = ::prlimit64(pid, static_cast<__rlimit_resource>(*resource), &value, nullptr);
        int err = errno;
        rlimit64 current{};
        if (rc != 0 && err == EPERM && u == kDefaultNofile &&
            ::prlimit64(pid, static_cast<__rlimit_resource>(*resource), nullptr, &current) == 0 &&
            current.rlim_max < value.rlim_max) {
            // Without CAP_SYS_RESOURCE (vessel itself confined) the default's hard limit cannot be
            // raised: keep the highest we may have, and say so.
            explain::syscall(explain::Chapter::kSecurity,
                             fmt::format("prlimit({}, RLIMIT_NOFILE, {{1024, 524288}})", pid), rc,
                             err, "no CAP_SYS_RESOURCE here: the hard limit stays where it is");
            value.rlim_max = current.rlim_max;
            value.rlim_cur = std::min<uint64_t>(value.rlim_cur, current.rlim_max);
            rc = ::prlimit64(pid, static_cast<__rlimit_resource>(*resource), &value, nullptr);
            err = errno;
        }
        auto show = [](uint64_t v) {
            return v == Ulimit::kUnlimited ? std::string("RLIM_INFINITY") : std::to_string(v);
        };
        std::string upper = u.name;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        explain::syscall(explain::Chapter::kSecurity,
                         fmt::format("prlimit({}, RLIMIT_{}, {{{}, {}}})", pid, upper,
                                     show(value.rlim_cur), show(value.rlim_max)),
                         rc, err,
                         u.name == "nofile" ? "never the caller's open-file limit" : "--ulimit");
        if (rc != 0)
            throw SysError(
                fmt::format("cannot set --ulimit {}={}:{}", u.name, show(u.soft), show(u.hard)),
                err, err == EPERM ? "raising a hard limit needs CAP_SYS_RESOURCE" : "");
    }
}

}  // namespace vessel::rlimits
