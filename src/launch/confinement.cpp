#include "vessel/launch/confinement.hpp"

#include <linux/close_range.h>
#include <unistd.h>

#include "vessel/linux/users.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::confinement {

void apply(const ContainerSpec& /*spec*/, const ResolvedUser& user) { users::switch_to(user); }

// Everything above fd 2 is marked close-on-exec, so no descriptor of vessel's (state dir, cgroup,
// the host's terminal...) survives into the command (CVE-2024-21626). CLOEXEC rather than close:
// the handshake socket must stay open until execve succeeds, to report a failed execve.
void seal_before_exec() {
    long rc = ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    int err = errno;
    explain::syscall(explain::Chapter::kSecurity, "close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)", rc,
                     err, "no fd of vessel's reaches the command");
    if (rc != 0) throw SysError("close_range", err);
}

}  // namespace vessel::confinement
