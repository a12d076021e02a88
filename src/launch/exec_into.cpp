#include "vessel/launch/exec_into.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/launch/confinement.hpp"
#include "vessel/launch/exec_child.hpp"
#include "vessel/launch/foreground.hpp"
#include "vessel/launch/handshake.hpp"
#include "vessel/linux/cgroup_join.hpp"
#include "vessel/linux/namespaces.hpp"
#include "vessel/linux/ns_join.hpp"
#include "vessel/linux/privileges.hpp"
#include "vessel/linux/process.hpp"
#include "vessel/linux/rlimits.hpp"
#include "vessel/linux/seccomp_cache.hpp"
#include "vessel/linux/signals.hpp"
#include "vessel/linux/users.hpp"
#include "vessel/running/control.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"

namespace vessel {
namespace {

using explain::Chapter;

// The cgroup namespace is joined once the process sits in the container's cgroup (with
// nsdelegate, clone3 into a cgroup outside our cgroup namespace fails), and the user namespace
// last of all (it would take away our rights over the host's cgroup files).
constexpr int kJoinedByChild = CLONE_NEWCGROUP | CLONE_NEWUSER;

}  // namespace

int exec_into(const StateStore& store, const std::string& id, const ExecRequest& request,
              const std::function<void(pid_t, int)>& on_started) {
    check_exec_request(request);
    explain::section("vessel exec: find the container, open what we need, then enter");
    explain::abbreviate_id(id);
    const ContainerState state = store.load(id);
    UniqueFd init = control::open_init(state);
    // Its processes are frozen: the new one would be too, and exec would hang (docker refuses).
    if (state.paused)
        throw Error("container " + control::display_name(state) +
                    " is paused, unpause the container before exec");
    const pid_t pid = state.init.pid;
    explain::step(Chapter::kLifecycle, fmt::format("pidfd_open({}, 0)", pid),
                  std::to_string(init.get()),
                  "PID 1, its start time checked: never a recycled pid");

    // Everything from the host's side is opened before we enter: afterwards /proc and
    // /sys/fs/cgroup are the container's (or absent).
    const ResolvedUser user = users::resolve_in_root(
        fs::open_dir(fmt::format("/proc/{}/root", pid)).get(), exec_user(state.spec, request));
    const ContainerSpec spec = build_exec_spec(state.spec, request, user, process_env());
    // The container's capabilities, rlimits and seccomp filter, resolved and compiled here on
    // the host side, exactly as for its own command: a process that joins it is held as tightly.
    const confinement::Plan confine =
        confinement::prepare(spec, user, seccomp_cache::load_kept(store.dir_of(state.spec.id)));
    const auto cgroup = cgroups::JoinTarget::open(state.cgroup);
    const int flags = ns_join::differing(pid);
    const auto namespaces = ns_join::Target::open(init.get(), pid, flags);
    // Signal 0 through the pidfd: PID 1 still runs, so the /proc/PID paths above were its own.
    if (!process::send_signal(init.get(), 0))
        throw Error("container " + control::display_name(state) + " is not running");

    UniqueFd signal_fd;
    if (!spec.detach) {
        // Signals wait in the queue from here and are forwarded once the process runs.
        const sigset_t forwarded = signals::forwarded();
        signals::block(forwarded);
        signal_fd = signals::open_signalfd(forwarded);
    }
    ::signal(SIGPIPE, SIG_IGN);

    explain::section("into the container's namespaces and cgroup");
    // Non-dumpable before entering anything: nothing in the container may ptrace vessel or open
    // its /proc/PID while vessel sits in the container's namespaces (CVE-2016-9962). The exec'd
    // command gets a normal, dumpable process again at execve.
    privileges::set_non_dumpable();
    namespaces.join(flags & ~kJoinedByChild);
    auto [parent_end, child_end] = handshake::make_pair();
    auto child = namespaces::clone_child(0, cgroup.clone_fd(),
                                         "born inside the container's pid namespace and cgroup");
    if (child.pid == 0) {
        parent_end.close();
        run_exec_child({.spec = &spec,
                        .confinement = &confine,
                        .namespaces = &namespaces,
                        .cgroup = &cgroup,
                        .namespaces_to_join = flags & kJoinedByChild,
                        .keep_stdio = request.keep_stdio},
                       child_end);
    }
    child_end.close();

    UniqueFd pty_master;
    try {
        cgroup.add(child.pid, child.placed_in_cgroup);
        // In a user namespace the child could not raise a hard limit any more: as for run, the
        // parent sets them.
        if (flags & CLONE_NEWUSER) rlimits::apply(child.pid, confine.ulimits);
        parent_end.send_go();
        explain::step(Chapter::kHandshake, "sendmsg(handshake, kGo)", "1",
                      "the child moves itself into the v1 hierarchies");
        pty_master = parent_end.await_exec();
    } catch (...) {
        // Nothing of the container's is ours to release: only the process we started.
        process::send_signal(child.pidfd.get(), SIGKILL);
        process::wait_exit_code(child.pidfd.get());
        throw;
    }
    if (on_started) on_started(child.pid, pty_master.get());
    if (spec.detach) return 0;
    return supervise_foreground(
        {child.pidfd.get(), pty_master.get(), spec.interactive, "the exec'd process"},
        signal_fd.get());
}

}  // namespace vessel
