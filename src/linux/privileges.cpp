#include "vessel/linux/privileges.hpp"

#include <sys/prctl.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::privileges {

void set_no_new_privs() {
    long rc = ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    int err = errno;
    explain::syscall(explain::Chapter::kSecurity, "prctl(PR_SET_NO_NEW_PRIVS, 1)", rc, err,
                     "setuid binaries and file capabilities grant nothing from now on");
    if (rc != 0) throw SysError("prctl(PR_SET_NO_NEW_PRIVS)", err);
}

void set_non_dumpable() {
    long rc = ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    int err = errno;
    explain::syscall(explain::Chapter::kSecurity, "prctl(PR_SET_DUMPABLE, 0)", rc, err,
                     "no one in the container can ptrace us or open /proc/PID of ours");
    if (rc != 0) throw SysError("prctl(PR_SET_DUMPABLE)", err);
}

}  // namespace vessel::privileges
