#include "vessel/launch/run_child.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/launch/process_start.hpp"
#include "vessel/linux/cgroup_join.hpp"
#include "vessel/linux/devices.hpp"
#include "vessel/linux/kernel_fs.hpp"
#include "vessel/linux/masked_paths.hpp"
#include "vessel/linux/namespaces.hpp"
#include "vessel/linux/network.hpp"
#include "vessel/linux/userns.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel {
namespace {

using explain::Chapter;

void set_hostname(const std::string& hostname) {
    long rc = ::sethostname(hostname.data(), hostname.size());
    int err = errno;
    explain::syscall(Chapter::kNamespaces,
                     fmt::format("sethostname({}, {})", explain::quote(hostname), hostname.size()),
                     rc, err, "only our UTS namespace sees it");
    if (rc != 0) throw SysError("sethostname", err);
}

}  // namespace

void run_child(const ChildPlan& plan, handshake::ChildEnd channel) {
    const ContainerSpec& spec = *plan.spec;
    explain::set_role("child");
    try {
        // If vessel dies from here on, the kernel SIGKILLs us (and, as our pid namespace's init,
        // everything in the container). Being PID 1 does not shield us: the signal comes from
        // outside the namespace.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        UniqueFd made_root = channel.await_go();  // with --userns=remap, the root the parent made
        if (spec.security.userns) userns::become_root();
        if (spec.network == NetworkMode::kNone) namespaces::unshare_network_namespace();
        // Device nodes and mount points get exactly the modes we ask for; the command gets
        // docker's umask back before execve.
        ::umask(0);
        set_hostname(spec.hostname);

        explain::section("the root filesystem, built inside our own mount namespace");
        rootfs::make_mounts_private();
        UniqueFd root = made_root ? userns::attach_root(std::move(made_root))
                                  : rootfs::mount_overlay(plan.layout);
        kernel_fs::mount_proc(root.get());
        kernel_fs::mount_sys(root.get());
        devices::setup_dev(root.get());
        devices::add_nodes(root.get(), plan.confinement->devices);
        if (!spec.security.privileged)
            masked_paths::apply(root.get(), default_masked_paths(), default_readonly_paths());
        if (spec.network == NetworkMode::kNone) network::bring_up_loopback();

        // Meanwhile the parent made our cgroups: join them, then see them as our own.
        channel.await_ready();
        if (plan.cgroup_entry == CgroupEntry::kJoinsItself)
            cgroups::JoinTarget::open(plan.cgroup->to_json()).join_self();
        if (plan.cgroup_entry != CgroupEntry::kBornInside) namespaces::unshare_cgroup_namespace();
        if (plan.cgroup) plan.cgroup->mount_in_container(root.get());
        rootfs::pivot_into(root.get());
        root.reset();
        if (spec.read_only) rootfs::remount_root_readonly();
    } catch (...) {
        report_exception_and_exit(channel);
    }
    finish_start({.spec = &spec,
                  .confinement = plan.confinement,
                  .create_workdir = true,
                  .dies_with_parent = true,
                  .init = spec.init},
                 channel);
}

}  // namespace vessel
