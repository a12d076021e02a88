#include "vessel/launch/run_child.hpp"

#include <unistd.h>

#include "vessel/core/security.hpp"
#include "vessel/launch/process_start.hpp"
#include "vessel/util/explain.hpp"

namespace vessel {
namespace {

std::vector<int> fds_of(const std::vector<UniqueFd>* sources) {
    std::vector<int> fds;
    if (sources)
        for (const auto& fd : *sources) fds.push_back(fd.get());
    return fds;
}

}  // namespace

UniqueFd build_container(const ChildPlan& plan, KernelSteps& k) {
    const ContainerSpec& spec = *plan.spec;
    // First of all, let go of every descriptor of the parent's: a host directory left open here
    // would be a way out of the root we are about to build (inherited_fds.hpp).
    k.close_inherited_fds(fds_of(plan.mount_sources));
    // OCI create (docs/oci.md): the fifo `start` opens, held before the host is out of sight.
    UniqueFd exec_fifo;
    if (!spec.exec_fifo.empty()) exec_fifo = k.open_exec_fifo(spec.exec_fifo);
    // If vessel dies from here on, the kernel SIGKILLs us (and, as our pid namespace's init,
    // everything in the container). Being PID 1 does not shield us: the signal comes from
    // outside the namespace.
    k.die_with_parent();
    UniqueFd made_root = k.await_go();  // with --userns=remap, the root the parent made
    if (spec.security.userns) k.become_namespace_root();
    if (spec.network == NetworkMode::kNone) k.unshare_network();
    // Device nodes and mount points get exactly the modes we ask for; the command gets
    // docker's umask back before execve.
    k.set_umask(0);
    if (!spec.hostname.empty()) k.set_hostname(spec.hostname);  // OCI: "" keeps the host's
    if (!spec.domainname.empty()) k.set_domainname(spec.domainname);

    explain::section("the root filesystem, built inside our own mount namespace");
    k.make_mounts_private();
    UniqueFd root = spec.rootfs.empty()
                        ? k.mount_root(plan.layout, std::move(made_root))
                        : k.bind_bundle_root(spec.rootfs, plan.layout.merged);  // OCI bundle
    k.mount_proc(root.get());
    k.mount_sys(root.get());
    k.set_up_dev(root.get(), plan.confinement->devices);
    // After /dev, before the masked paths: no mount may uncover a masked path.
    if (plan.mount_sources)
        k.attach_mounts(root.get(), plan.mounts ? *plan.mounts : spec.mounts, *plan.mount_sources);
    if (!spec.oci_mounts.empty()) k.apply_mounts(root.get(), spec.oci_mounts);  // config.json's
    if (!spec.sysctl.empty()) k.apply_sysctl(root.get(), spec.sysctl);          // through our /proc
    if (!spec.security.privileged)
        k.mask_paths(root.get(), spec.masked_paths.value_or(default_masked_paths()),
                     spec.readonly_paths.value_or(default_readonly_paths()));
    if (spec.network == NetworkMode::kNone) k.bring_up_loopback();

    // Meanwhile the parent made our cgroups: join them, then see them as our own.
    k.await_ready();
    // The parent made the veth pair meanwhile: its inner end is our eth0.
    if (plan.network) k.configure_network(*plan.network);
    if (plan.cgroup_entry == CgroupEntry::kJoinsItself) k.join_v1_cgroups(*plan.cgroup);
    if (plan.cgroup_entry != CgroupEntry::kBornInside) k.unshare_cgroup_namespace();
    if (plan.cgroup) k.mount_cgroups(*plan.cgroup, root.get());
    k.pivot_root(root.get());
    root.reset();
    if (spec.read_only) k.remount_root_readonly();
    return exec_fifo;
}

StartTail tail_of(const ChildPlan& plan, int exec_fifo) {
    return {.spec = plan.spec,
            .confinement = plan.confinement,
            .create_workdir = true,
            // A created OCI container outlives `vessel-oci create`, which exits at kCreated.
            .dies_with_parent = exec_fifo < 0,
            .init = plan.spec->init,
            .exec_fifo = exec_fifo};
}

void run_child(const ChildPlan& plan, handshake::ChildEnd channel) {
    explain::set_role("child");
    LinuxSteps kernel(channel);
    try {
        UniqueFd exec_fifo = build_container(plan, kernel);
        start_process(tail_of(plan, exec_fifo.get()), kernel);
    } catch (...) {
        report_exception_and_exit(channel);
    }
    ::_exit(exit_code::kRuntimeError);  // not reached: start_process ends in execve
}

}  // namespace vessel
