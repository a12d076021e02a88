#include "vessel/linux/privileges.hpp"

#include <sys/prctl.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::privileges {

void set_no_new_privs() {
    explain::checked(
        ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), explain::Chapter::kSecurity,
        [] { return "prctl(PR_SET_NO_NEW_PRIVS, 1)"; },
        "setuid binaries and file capabilities grant nothing from now on",
        "prctl(PR_SET_NO_NEW_PRIVS)");
}

void set_non_dumpable() {
    explain::checked(
        ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), explain::Chapter::kSecurity,
        [] { return "prctl(PR_SET_DUMPABLE, 0)"; },
        "no one in the container can ptrace us or open /proc/PID of ours",
        "prctl(PR_SET_DUMPABLE)");
}

}  // namespace vessel::privileges
