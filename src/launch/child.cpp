#include "vessel/launch/child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/launch/confinement.hpp"
#include "vessel/launch/mini_init.hpp"
#include "vessel/linux/devices.hpp"
#include "vessel/linux/kernel_fs.hpp"
#include "vessel/linux/masked_paths.hpp"
#include "vessel/linux/mounts.hpp"
#include "vessel/linux/namespaces.hpp"
#include "vessel/linux/network.hpp"
#include "vessel/linux/signals.hpp"
#include "vessel/linux/terminal.hpp"
#include "vessel/linux/userns.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel {
namespace {

using explain::Chapter;

// The error a failed step sends to the parent before the child exits.
[[noreturn]] void fail(const Channel& channel, int code, int err, const std::string& text) {
    try {
        channel.send(Message::kError, code, err, text);
    } catch (...) {
        // The parent is gone; nobody is left to tell.
    }
    ::_exit(code);
}

// Returns the fd that came with kGo: with --userns=remap, the root the parent made.
UniqueFd wait_for_go(const Channel& channel) {
    // If vessel dies from here on, the kernel SIGKILLs us (and, as our pid namespace's init,
    // everything in the container). Being PID 1 does not shield us: the signal comes from
    // outside the namespace.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    auto msg = channel.receive();
    // EOF: vessel died before releasing us (before the death signal was armed, too).
    if (!msg || msg->type != Message::kGo) ::_exit(exit_code::kRuntimeError);
    explain::step(Chapter::kHandshake, "recvmsg(handshake) = kGo", "1",
                  "the parent placed us; carry on");
    return std::move(msg->fd);
}

void set_hostname(const std::string& hostname) {
    long rc = ::sethostname(hostname.data(), hostname.size());
    int err = errno;
    explain::syscall(Chapter::kNamespaces, fmt::format("sethostname({}, {})", explain::quote(hostname),
                                                      hostname.size()),
                     rc, err, "only our UTS namespace sees it");
    if (rc != 0) throw SysError("sethostname", err);
}

// The working directory: created when missing, as docker does.
void enter_workdir(const std::string& workdir) {
    if (::chdir(workdir.c_str()) == 0) {
        explain::syscall(Chapter::kProcess, fmt::format("chdir({})", explain::quote(workdir)), 0, 0,
                         "the working directory");
        return;
    }
    if (errno != ENOENT) throw SysError("cannot enter the working directory " + workdir, errno);
    std::string partial;
    for (size_t pos = 1; pos <= workdir.size(); ++pos) {
        if (pos == workdir.size() || workdir[pos] == '/') {
            partial = workdir.substr(0, pos);
            if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
                throw SysError("cannot create the working directory " + partial, errno);
        }
    }
    long rc = ::chdir(workdir.c_str());
    int err = errno;
    explain::syscall(Chapter::kProcess, fmt::format("chdir({})", explain::quote(workdir)), rc, err,
                     "created, as it was missing");
    if (rc != 0) throw SysError("cannot enter the working directory " + workdir, err);
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    for (auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

[[noreturn]] void exec_command(const ContainerSpec& spec, const std::string& path,
                               const Channel& channel) {
    auto argv = c_strings(spec.args);
    auto envp = c_strings(spec.env);
    std::string shown_args;
    for (auto& a : spec.args) shown_args += (shown_args.empty() ? "" : ", ") + explain::quote(a);
    explain::step(Chapter::kProcess,
                  fmt::format("execve({}, [{}], envp[{}])", explain::quote(path), shown_args,
                              spec.env.size()),
                  "?", "the command replaces vessel's code");
    ::execve(path.c_str(), argv.data(), envp.data());
    int err = errno;
    int code = err == ENOENT ? exit_code::kNotFound : exit_code::kNotExecutable;
    fail(channel, code, err, fmt::format("cannot run {}: {}", explain::quote(spec.args[0]), errno_text(err)));
}

}  // namespace

std::string find_executable(const std::string& name, const std::vector<std::string>& env) {
    if (name.find('/') != std::string::npos) return name;
    std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (auto& kv : env)
        if (kv.starts_with("PATH=")) path = kv.substr(5);
    size_t start = 0;
    for (;;) {
        size_t end = path.find(':', start);
        std::string dir = path.substr(start, end - start);
        if (dir.empty()) dir = ".";
        std::string candidate = dir + "/" + name;
        struct stat st{};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return candidate;
        if (end == std::string::npos) return "";
        start = end + 1;
    }
}

void run_child(const ChildPlan& plan, Channel channel) {
    const ContainerSpec& spec = *plan.spec;
    explain::set_role("child");
    try {
        UniqueFd made_root = wait_for_go(channel);
        if (spec.security.userns) userns::become_root();
        // Device nodes and mount points get exactly the modes we ask for; the command gets
        // docker's umask back before execve.
        ::umask(0);
        if (plan.unshare_cgroupns) namespaces::unshare_cgroup_namespace();
        set_hostname(spec.hostname);

        explain::section("the root filesystem, built inside our own mount namespace");
        rootfs::make_mounts_private();
        UniqueFd root = made_root ? userns::attach_root(std::move(made_root))
                                  : rootfs::mount_overlay(plan.layout);
        kernel_fs::mount_proc(root.get());
        kernel_fs::mount_sys(root.get());
        if (plan.cgroup) plan.cgroup->mount_in_container(root.get());
        devices::setup_dev(root.get());
        devices::add_nodes(root.get(), plan.confinement->devices);
        if (!spec.security.privileged)
            masked_paths::apply(root.get(), default_masked_paths(), default_readonly_paths());
        if (spec.network == NetworkMode::kNone) network::bring_up_loopback();
        rootfs::pivot_into(root.get());
        root.reset();
        if (spec.read_only) rootfs::remount_root_readonly();

        explain::section("the process: terminal, user, descriptors, then execve");
        std::optional<terminal::Pty> pty;
        if (spec.tty) {
            pty = terminal::open_pty();
            channel.send(Message::kPtyMaster, 0, 0, {}, pty->master.get());
            explain::step(Chapter::kHandshake, "sendmsg(handshake, kPtyMaster, SCM_RIGHTS{master})",
                          "1", "vessel relays the terminal");
            pty->master.reset();
        }
        terminal::new_session(pty ? &*pty : nullptr);
        if (!spec.tty && !spec.interactive) {
            // Without -i the command reads end-of-file, as under docker.
            UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
            if (!null || ::dup2(null.get(), 0) < 0) throw SysError("cannot open /dev/null as stdin", errno);
        }
        enter_workdir(spec.workdir);
        std::string path = find_executable(spec.args[0], spec.env);
        if (path.empty())
            fail(channel, exit_code::kNotFound, ENOENT,
                 fmt::format("{}: executable file not found in $PATH", explain::quote(spec.args[0])));
        confinement::apply(*plan.confinement);
        // Sealed (and filtered) before the --init fork, so init is held as tightly as the command.
        confinement::seal_before_exec(*plan.confinement);
        if (spec.init) mini_init::become_init_and_fork(channel, spec.tty);
        ::umask(022);
        signals::reset_for_exec();
        exec_command(spec, path, channel);
    } catch (const Error& e) {
        auto* sys = dynamic_cast<const SysError*>(&e);
        fail(channel, e.exit_code(), sys ? sys->err() : 0, e.what());
    } catch (const std::exception& e) {
        fail(channel, exit_code::kRuntimeError, 0, e.what());
    }
}

}  // namespace vessel
