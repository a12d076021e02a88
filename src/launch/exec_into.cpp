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
#include "vessel/launch/control.hpp"
#include "vessel/launch/foreground.hpp"
#include "vessel/launch/handshake.hpp"
#include "vessel/launch/launcher.hpp"
#include "vessel/launch/process_start.hpp"
#include "vessel/linux/cgroup_join.hpp"
#include "vessel/linux/inherited_fds.hpp"
#include "vessel/linux/namespaces.hpp"
#include "vessel/linux/ns_join.hpp"
#include "vessel/linux/privileges.hpp"
#include "vessel/linux/process.hpp"
#include "vessel/linux/rlimits.hpp"
#include "vessel/linux/seccomp.hpp"
#include "vessel/linux/signals.hpp"
#include "vessel/linux/userns.hpp"
#include "vessel/linux/users.hpp"
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

struct ExecChildPlan {
    const ContainerSpec* spec;
    const confinement::Plan* confinement;  // prepared on the host side, as for run
    const ns_join::Target* namespaces;
    const cgroups::JoinTarget* cgroup;
    int child_flags;  // what the child joins itself
};

[[noreturn]] void run_exec_child(const ExecChildPlan& plan, const Channel& channel) {
    const ContainerSpec& spec = *plan.spec;
    explain::set_role("exec");
    try {
        // Foreground: the process dies with vessel exec, as a foreground container dies with
        // vessel run. Detached (-d): it lives on, re-parented to the host's init.
        if (!spec.detach) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        auto msg = channel.receive();
        if (!msg || msg->type != Message::kGo) ::_exit(exit_code::kRuntimeError);
        explain::step(Chapter::kHandshake, "recvmsg(handshake) = kGo", "1", "carry on");
        plan.cgroup->join_self();
        plan.namespaces->join(plan.child_flags);
        // Joined a user namespace: our host uid 0 is unmapped there until we become its root.
        if (plan.child_flags & CLONE_NEWUSER) userns::become_root();
        // Inside now: let go of the namespace, cgroup and pid descriptors we joined with, and
        // of everything else of vessel's, before anything is resolved in the container
        // (inherited_fds.hpp, CVE-2024-21626).
        inherited_fds::close_all_except({channel.fd(), explain::fd()});

        explain::section("the process: terminal, user, descriptors, then execve");
        if (spec.detach) {
            // Nothing of the caller's terminal or pipes: `vessel exec -d` returns at once, and
            // whoever reads its output must not wait for this process.
            UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
            for (int fd = 0; fd <= 2; ++fd)
                if (!null || ::dup2(null.get(), fd) < 0) throw SysError("dup2 /dev/null", errno);
        }
        set_up_stdio(spec, channel);
        try {
            enter_workdir(spec.workdir, /*create=*/false);
        } catch (const Error& e) {
            // docker exec -w does not create the directory, and reports 126 when it is missing.
            throw Error(e.what(), exit_code::kNotExecutable);
        }
        std::string path = resolve_command(spec, channel);
        confinement::apply(*plan.confinement);
        if (!spec.detach) rearm_parent_death_signal(channel);
        confinement::seal_before_exec(*plan.confinement);
        exec_command(spec, path, channel);
    } catch (...) {
        report_exception_and_exit(channel);
    }
}

// The seccomp program `run` compiled for this container and kept in its state directory, so
// that exec loads the very same filter without compiling the profile again (10 ms). Missing or
// unreadable: prepare() compiles it.
std::optional<seccomp::Program> kept_seccomp_program(const StateStore& store,
                                                     const std::string& id) {
    const std::string path = store.dir_of(id) + "/" + kSeccompProgramName;
    std::optional<std::string> bytes;
    try {
        bytes = fs::try_read_file(path);
    } catch (const SysError&) {
    }
    auto program = bytes ? seccomp::deserialize(*bytes) : std::nullopt;
    if (program)
        explain::step(Chapter::kSeccomp, fmt::format("read({})", explain::quote(path)),
                      fmt::format("{} BPF instructions", program->code.size()),
                      "the container's filter, compiled once by vessel run");
    return program;
}

}  // namespace

int exec_into(const StateStore& store, const std::string& id, const ExecRequest& request,
              const std::function<void(pid_t)>& on_started) {
    check_exec_request(request);
    explain::section("vessel exec: find the container, open what we need, then enter");
    explain::abbreviate_id(id);
    const ContainerState state = store.load(id);
    UniqueFd init = control::open_init(state);
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
        confinement::prepare(spec, user, kept_seccomp_program(store, state.spec.id));
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
    auto [parent_end, child_end] = Channel::make_pair();
    bool placed = false;
    auto child = namespaces::clone_child(0, cgroup.clone_fd(), placed,
                                         "born inside the container's pid namespace and cgroup");
    if (child.pid == 0) {
        parent_end.close();
        ExecChildPlan plan{&spec, &confine, &namespaces, &cgroup, flags & kJoinedByChild};
        run_exec_child(plan, child_end);
    }
    child_end.close();

    UniqueFd pty_master;
    try {
        cgroup.add(child.pid, placed);
        // In a user namespace the child could not raise a hard limit any more: as for run, the
        // parent sets them.
        if (flags & CLONE_NEWUSER) rlimits::apply(child.pid, confine.ulimits);
        parent_end.send(Message::kGo);
        explain::step(Chapter::kHandshake, "sendmsg(handshake, kGo)", "1",
                      "the child moves itself into the v1 hierarchies");
        pty_master = await_exec(parent_end);
    } catch (...) {
        process::send_signal(child.pidfd.get(), SIGKILL);
        process::wait_exit_code(child.pidfd.get());
        throw;
    }
    if (on_started) on_started(child.pid);
    if (spec.detach) return 0;
    return supervise_foreground(
        {child.pidfd.get(), pty_master.get(), spec.interactive, "the exec'd process"},
        signal_fd.get());
}

}  // namespace vessel
