#include "vessel/launch/exec_child.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>

#include "vessel/launch/process_start.hpp"
#include "vessel/linux/userns.hpp"
#include "vessel/util/explain.hpp"

namespace vessel {

void run_exec_child(const ExecChildPlan& plan, const handshake::ChildEnd& channel) {
    const ContainerSpec& spec = *plan.spec;
    explain::set_role("exec");
    try {
        // Foreground: the process dies with vessel exec, as a foreground container dies with
        // vessel run. Detached (-d): it lives on, re-parented to the host's init.
        if (!spec.detach) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        channel.await_go();
        plan.cgroup->join_self();
        plan.namespaces->join(plan.namespaces_to_join);
        // Joined a user namespace: our host uid 0 is unmapped there until we become its root.
        if (plan.namespaces_to_join & CLONE_NEWUSER) userns::become_root();
    } catch (...) {
        report_exception_and_exit(channel);
    }
    finish_start({.spec = &spec,
                  .confinement = plan.confinement,
                  .stdio_from_null = spec.detach,
                  .create_workdir = false,
                  .dies_with_parent = !spec.detach,
                  .init = false},
                 channel);
}

}  // namespace vessel
