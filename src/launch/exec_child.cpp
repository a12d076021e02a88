#include "vessel/launch/exec_child.hpp"

#include <sched.h>
#include <unistd.h>

#include "vessel/util/explain.hpp"

namespace vessel {

void enter_container(const ExecChildPlan& plan, KernelSteps& k) {
    // Foreground: the process dies with vessel exec, as a foreground container dies with
    // vessel run. Detached (-d): it lives on, re-parented to the host's init.
    if (!plan.spec->detach) k.die_with_parent();
    k.await_go();
    k.join_cgroups(*plan.cgroup);
    k.join_namespaces(*plan.namespaces, plan.namespaces_to_join);
    // Joined a user namespace: our host uid 0 is unmapped there until we become its root.
    if (plan.namespaces_to_join & CLONE_NEWUSER) k.become_namespace_root();
    // Inside now: let go of the namespace, cgroup and pid descriptors we joined with, and of
    // everything else of vessel's, before anything is resolved in the container
    // (inherited_fds.hpp, CVE-2024-21626).
    k.close_inherited_fds({});
}

StartTail tail_of(const ExecChildPlan& plan) {
    return {.spec = plan.spec,
            .confinement = plan.confinement,
            .stdio_from_null = plan.spec->detach && !plan.keep_stdio,
            .create_workdir = false,
            .dies_with_parent = !plan.spec->detach,
            .init = false};
}

void run_exec_child(const ExecChildPlan& plan, const handshake::ChildEnd& channel) {
    explain::set_role("exec");
    LinuxSteps kernel(channel);
    try {
        enter_container(plan, kernel);
        start_process(tail_of(plan), kernel);
    } catch (...) {
        report_exception_and_exit(channel);
    }
    ::_exit(exit_code::kRuntimeError);  // not reached: start_process ends in execve
}

}  // namespace vessel
