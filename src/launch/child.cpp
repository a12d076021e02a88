#include "vessel/launch/child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/launch/bundle_steps.hpp"
#include "vessel/launch/confinement.hpp"
#include "vessel/launch/mini_init.hpp"
#include "vessel/launch/process_start.hpp"
#include "vessel/linux/cgroup_join.hpp"
#include "vessel/linux/devices.hpp"
#include "vessel/linux/inherited_fds.hpp"
#include "vessel/linux/kernel_fs.hpp"
#include "vessel/linux/masked_paths.hpp"
#include "vessel/linux/mounts.hpp"
#include "vessel/linux/namespaces.hpp"
#include "vessel/linux/network.hpp"
#include "vessel/linux/terminal.hpp"
#include "vessel/linux/userns.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel {
namespace {

using explain::Chapter;

// Waits for the parent's `expected` message and returns the fd that came with it. End-of-file,
// or anything else, means the parent died or gave up: we end quietly (it reports the failure).
UniqueFd wait_for(const Channel& channel, Message expected, const char* why) {
    auto msg = channel.receive();
    if (!msg || msg->type != expected) ::_exit(exit_code::kRuntimeError);
    explain::step(Chapter::kHandshake, "recvmsg(handshake)",
                  expected == Message::kGo ? "kGo" : "kReady", why);
    return std::move(msg->fd);
}

// Returns the fd that came with kGo: with --userns=remap, the root the parent made.
UniqueFd wait_for_go(const Channel& channel) {
    // If vessel dies from here on, the kernel SIGKILLs us (and, as our pid namespace's init,
    // everything in the container). Being PID 1 does not shield us: the signal comes from
    // outside the namespace.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    return wait_for(channel, Message::kGo, "released by the parent: build our filesystem");
}

void set_hostname(const std::string& hostname) {
    long rc = ::sethostname(hostname.data(), hostname.size());
    int err = errno;
    explain::syscall(Chapter::kNamespaces,
                     fmt::format("sethostname({}, {})", explain::quote(hostname), hostname.size()),
                     rc, err, "only our UTS namespace sees it");
    if (rc != 0) throw SysError("sethostname", err);
}

}  // namespace

void run_child(const ChildPlan& plan, Channel channel) {
    const ContainerSpec& spec = *plan.spec;
    explain::set_role("child");
    try {
        // First of all, let go of every descriptor of the parent's: a host directory left open
        // here would be a way out of the root we are about to build (inherited_fds.hpp).
        inherited_fds::close_all_except({channel.fd(), explain::fd()});
        // OCI create (docs/oci.md): the fifo `start` opens, held before the host is out of sight.
        UniqueFd exec_fifo;
        if (!spec.exec_fifo.empty()) exec_fifo = bundle_steps::open_exec_fifo(spec.exec_fifo);
        UniqueFd made_root = wait_for_go(channel);
        if (spec.security.userns) userns::become_root();
        if (spec.network == NetworkMode::kNone) namespaces::unshare_network_namespace();
        // Device nodes and mount points get exactly the modes we ask for; the command gets
        // docker's umask back before execve.
        ::umask(0);
        if (!spec.hostname.empty()) set_hostname(spec.hostname);  // OCI: "" keeps the host's
        if (!spec.domainname.empty())
            check(::setdomainname(spec.domainname.data(), spec.domainname.size()), "setdomainname");

        explain::section("the root filesystem, built inside our own mount namespace");
        rootfs::make_mounts_private();
        UniqueFd root = made_root ? userns::attach_root(std::move(made_root))
                        : !spec.rootfs.empty()
                            ? bundle_steps::bind_root(spec.rootfs, plan.layout.merged)
                            : rootfs::mount_overlay(plan.layout);
        kernel_fs::mount_proc(root.get());
        kernel_fs::mount_sys(root.get());
        devices::setup_dev(root.get());
        devices::add_nodes(root.get(), plan.confinement->devices);
        bundle_steps::apply_mounts(root.get(), spec.mounts);
        bundle_steps::apply_sysctl(root.get(), spec.sysctl);
        if (!spec.security.privileged)
            masked_paths::apply(root.get(), spec.masked_paths.value_or(default_masked_paths()),
                                spec.readonly_paths.value_or(default_readonly_paths()));
        if (spec.network == NetworkMode::kNone) network::bring_up_loopback();

        // Meanwhile the parent made our cgroups: join them, then see them as our own.
        wait_for(channel, Message::kReady, "the parent made our cgroups; join them");
        if (plan.join_cgroups_itself) cgroups::JoinTarget::open(plan.cgroup->to_json()).join_self();
        if (plan.unshare_cgroupns) namespaces::unshare_cgroup_namespace();
        if (plan.cgroup) plan.cgroup->mount_in_container(root.get());
        rootfs::pivot_into(root.get());
        root.reset();
        if (spec.read_only) rootfs::remount_root_readonly();

        explain::section("the process: terminal, user, descriptors, then execve");
        set_up_stdio(spec, channel);
        enter_workdir(spec.workdir, /*create=*/true);
        std::string path = resolve_command(spec, channel);
        if (spec.oom_score_adj) bundle_steps::set_oom_score_adj(*spec.oom_score_adj);
        if (exec_fifo) bundle_steps::wait_for_start(exec_fifo, channel);  // OCI: until `start`
        confinement::apply(*plan.confinement);
        if (!exec_fifo) rearm_parent_death_signal(channel);
        // Sealed (and filtered) before the --init fork, so init is held as tightly as the command.
        confinement::seal_before_exec(*plan.confinement);
        if (spec.init) mini_init::become_init_and_fork(channel, spec.tty);
        exec_command(spec, path, channel);
    } catch (...) {
        report_exception_and_exit(channel);
    }
}

}  // namespace vessel
