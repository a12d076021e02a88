#include "vessel/launch/host_info.hpp"

#include <sys/sysinfo.h>
#include <sys/utsname.h>

#include <sstream>

#include "vessel/core/resources.hpp"
#include "vessel/linux/cgroups.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::host_info {

Facts read() {
    Facts f;
    utsname u{};
    if (::uname(&u) == 0) f.kernel = u.release;
    if (auto text = fs::try_read_file("/etc/os-release")) {
        std::istringstream in(*text);
        for (std::string line; std::getline(in, line);) {
            if (!line.starts_with("PRETTY_NAME=")) continue;
            f.os = line.substr(12);
            if (f.os.size() >= 2 && f.os.front() == '"') f.os = f.os.substr(1, f.os.size() - 2);
        }
    }
    try {
        f.cgroup_layout = cgroups::to_string(cgroups::detect());
    } catch (const std::exception& e) {
        f.cgroup_layout = std::string("unknown (") + e.what() + ")";
    }
    if (auto status = fs::try_read_file("/proc/self/status"))
        f.seccomp = status->find("\nSeccomp:") != std::string::npos;
    f.cpus = resources::online_cpus();
    struct sysinfo si {};
    if (::sysinfo(&si) == 0) f.memory_bytes = static_cast<long long>(si.totalram) * si.mem_unit;
    return f;
}

}  // namespace vessel::host_info
