#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "vessel/core/ids.hpp"
#include "vessel/core/oci_config.hpp"
#include "vessel/launch/exec_into.hpp"
#include "vessel/launch/janitor.hpp"
#include "vessel/launch/launcher.hpp"
#include "vessel/launch/teardown.hpp"
#include "vessel/linux/fd_passing.hpp"
#include "vessel/linux/process.hpp"
#include "vessel/linux/rlimits.hpp"
#include "vessel/oci/hooks.hpp"
#include "vessel/oci/runtime.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel::oci {
namespace {

using json = nlohmann::json;

// Beside state.json: what runtime-spec's state has and vessel's does not.
constexpr const char* kOciFile = "oci.json";

// The OCI id is the container's vessel name (ids::check_name: docker's rule, runc's minus
// '+'); its vessel id is a fresh 64-hex one, so every vessel tool reads the store as usual.
void check_id(const std::string& id) {
    try {
        ids::check_name(id);
    } catch (const Error& e) {
        throw Error("invalid container id \"" + id + "\": " + e.what());
    }
}

// The vessel id of OCI id `id`: its name reservation, <root>/.names/<id> (state.hpp). Exact,
// never a prefix match.
std::optional<std::string> vessel_id(const StateStore& store, const std::string& id) {
    char target[128] = {};
    const std::string link = store.root() + "/.names/" + id;
    ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0) return std::nullopt;
    std::string vid(target, static_cast<size_t>(n));
    if (!store.exists(vid)) return std::nullopt;
    return vid;
}

// The exec fifo lives outside the container's state directory, because it must exist before
// launch() makes that directory (the child opens it right after clone3).
std::string fifo_path(const StateStore& store, const std::string& id) {
    return store.root() + "/.fifo/" + id;
}

HostFeatures host_features() {
    HostFeatures host;
    auto enabled = fs::try_read_file("/sys/module/apparmor/parameters/enabled");
    host.apparmor = enabled && !enabled->empty() && (*enabled)[0] == 'Y';
    host.selinux = fs::exists("/sys/fs/selinux/enforce");
    return host;
}

// A process that has exited but not been reaped yet (its engine is slow) is stopped too.
bool running(const ProcessIdentity& init) {
    if (!process::is_alive(init)) return false;
    auto stat = fs::try_read_file(fmt::format("/proc/{}/stat", init.pid));
    if (!stat) return false;
    auto close = stat->rfind(')');
    return close == std::string::npos || close + 2 >= stat->size() || (*stat)[close + 2] != 'Z';
}

void write_pid_file(const std::string& path, pid_t pid) {
    // runc's format: the number alone, no newline; written whole or not at all.
    const std::string tmp = path + ".tmp";
    fs::write_file_atomic(tmp, std::to_string(pid), 0644);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw SysError("cannot write the pid file " + path, err);
    }
}

// The console socket protocol (runc's docs/terminals.md): connect to the engine's Unix socket
// and send the pty master with SCM_RIGHTS, the message being the master's name. Two steps,
// because `exec` must connect while it still sees the host's paths (exec_into then enters the
// container's mount namespace) and has the master only after that.
UniqueFd connect_console(const std::string& socket_path) {
    UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!sock) throw SysError("socket", errno);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path)
        throw Error("--console-socket " + socket_path + ": the path is too long");
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size());
    if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw SysError("cannot connect to --console-socket " + socket_path, errno);
    return sock;
}

void send_console(int sock, const std::string& socket_path, int master) {
    char name[] = "/dev/ptmx";
    iovec iov{name, sizeof name - 1};
    if (int err = fd_passing::send(sock, &iov, 1, master))
        throw SysError("cannot send the terminal to --console-socket " + socket_path, err);
}

json load_oci(const StateStore& store, const ContainerState& s) {
    auto text = fs::try_read_file(store.dir_of(s.spec.id) + "/" + kOciFile);
    if (!text) return json::object();
    try {
        return json::parse(*text);
    } catch (const json::exception&) {
        return json::object();
    }
}

ContainerState load(const StateStore& store, const std::string& id) {
    check_id(id);
    auto vid = vessel_id(store, id);
    if (!vid) throw Error("container \"" + id + "\" does not exist");
    return store.load(*vid);
}

bool frozen(const ContainerState& s) {
    if (s.cgroup.is_null() || s.cgroup.empty()) return false;
    try {
        return cgroups::from_json(s.cgroup)->frozen();
    } catch (const Error&) {
        return false;
    }
}

std::string status_of(const StateStore& store, const ContainerState& s) {
    if (!running(s.init)) return "stopped";
    if (s.status == Status::kCreated && fs::exists(fifo_path(store, s.spec.name))) return "created";
    return frozen(s) ? "paused" : "running";
}

// Kills what is left and removes the cgroup, the state and the fifo.
void destroy(const StateStore& store, const ContainerState& s) {
    if (UniqueFd pidfd = process::open_pidfd(s.init)) {
        process::send_signal(pidfd.get(), SIGKILL);
        pollfd p{pidfd.get(), POLLIN, 0};
        ::poll(&p, 1, 5000);  // readable once it has exited (reaped or not)
    }
    // The one teardown (teardown.hpp), as `vessel rm` does: we are not the owner.
    teardown::end_recorded(store, s.spec.id, teardown::Ending::kRemoved,
                           exit_code::kSignalBase + SIGKILL);
    ::unlink(fifo_path(store, s.spec.name).c_str());
}

// Everything before launch(): the bundle read, checked and turned into a spec.
struct Prepared {
    Config config;
    std::string bundle;
};

Prepared prepare(const StateStore& store, const std::string& id, const CreateOptions& o) {
    check_id(id);
    if (vessel_id(store, id)) throw Error("container \"" + id + "\" already exists");
    if (o.preserve_fds < 0) throw Error("--preserve-fds must not be negative");
    if (o.preserve_fds > 0)
        throw Error("--preserve-fds is not supported by vessel-oci yet (docs/oci.md)");
    if (o.no_pivot) spdlog::warn("--no-pivot ignored: vessel always uses pivot_root (docs/oci.md)");
    Prepared p;
    p.bundle = fs::real_path(o.bundle);
    auto text = fs::try_read_file(p.bundle + "/config.json");
    if (!text) throw Error("cannot read " + p.bundle + "/config.json: is --bundle a bundle?");
    p.config = parse_config(*text, p.bundle, host_features());
    for (auto& w : p.config.warnings) spdlog::warn("{}", w);
    // linux.devices: vessel makes the host's node at each path (as --device): it must be the
    // node config.json describes.
    for (const auto& d : p.config.devices) {
        struct stat node {};
        if (::stat(d.path.c_str(), &node) != 0)
            throw Error("config.json: linux.devices: " + d.path +
                        " does not exist on this host: vessel gives a container the host's "
                        "device nodes only (docs/oci.md)");
        const char type = S_ISBLK(node.st_mode) ? 'b' : S_ISCHR(node.st_mode) ? 'c' : '-';
        if (type != d.type || major(node.st_rdev) != d.major || minor(node.st_rdev) != d.minor)
            throw Error(fmt::format(
                "config.json: linux.devices: {} is {} {}:{} on this host, not {} {}:{}: vessel "
                "gives a container the host's device nodes only (docs/oci.md)",
                d.path, type, major(node.st_rdev), minor(node.st_rdev), d.type, d.major, d.minor));
    }
    ContainerSpec& spec = p.config.spec;
    if (!spec.hooks.create_container.empty() || !spec.hooks.start_container.empty())
        throw Error(
            "config.json: hooks.createContainer and hooks.startContainer are not "
            "supported by vessel-oci yet (docs/oci.md)");
    if (spec.security.userns)
        throw Error(
            "config.json: user namespaces are not supported by vessel-oci yet (docs/oci.md)");
    struct stat st {};
    if (::stat(spec.rootfs.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Error("config.json: root.path " + spec.rootfs + " is not a directory");
    if (spec.tty && o.console_socket.empty())
        throw Error("process.terminal is true: --console-socket is required to get the terminal");
    if (!spec.tty && !o.console_socket.empty())
        throw Error("--console-socket needs process.terminal set to true in config.json");
    spec.id = ids::new_container_id();
    spec.name = id;
    spec.remove = true;  // `delete` (teardown::end_recorded) removes everything
    spec.detach = true;
    return p;
}

RunningContainer launch_created(const StateStore& store, Prepared& p, const CreateOptions& o) {
    ContainerSpec& spec = p.config.spec;
    const std::string fifo = fifo_path(store, spec.name);
    // mkdir -p, as runc: containerd's shim passes --root <runc-root>/<namespace>.
    fs::ensure_dirs(store.root(), 0700);
    fs::ensure_dir(store.root() + "/.fifo", 0700);
    if (::mkfifo(fifo.c_str(), 0600) != 0)
        throw SysError("cannot make the exec fifo " + fifo, errno);
    spec.exec_fifo = fifo;
    try {
        RunningContainer c = launch(store, spec, p.config.user);
        try {
            c.state.status = Status::kCreated;
            c.state.started_ns = 0;
            {
                auto lock = store.lock(spec.id);
                store.save(c.state);
            }
            json extra = {{"bundle", p.bundle},
                          {"annotations", p.config.annotations},
                          {"cgroupsPath", p.config.cgroups_path}};
            fs::write_file_atomic(store.dir_of(spec.id) + "/" + kOciFile, extra.dump());
            // The rlimits now, from here (prlimit on the waiting process), though the child sets
            // them again with the rest of its confinement after `start`: a limit the kernel
            // refuses (a hard limit above this host's without CAP_SYS_RESOURCE, as podman's
            // nproc 1048576 when --ulimit names only nofile) then fails `create` with its reason,
            // as under runc, instead of the process after `start`, when nobody reads its error.
            rlimits::apply(c.state.init.pid, spec.security.ulimits);
            if (c.pty_master)
                send_console(connect_console(o.console_socket).get(), o.console_socket,
                             c.pty_master.get());
            c.pty_master.reset();
            if (!o.pid_file.empty()) write_pid_file(o.pid_file, c.state.init.pid);
            const std::string creating =
                state_json(spec.name, "creating", c.state.init.pid, p.bundle, p.config.annotations)
                    .dump();
            run_hooks(spec.hooks.prestart, "prestart", creating);
            run_hooks(spec.hooks.create_runtime, "createRuntime", creating);
        } catch (...) {
            destroy(store, c.state);
            c.owned.janitor.dismiss();
            throw;
        }
        return c;
    } catch (...) {
        ::unlink(fifo.c_str());
        throw;
    }
}

}  // namespace

void create(const StateStore& store, const std::string& id, const CreateOptions& options) {
    Prepared p = prepare(store, id, options);
    RunningContainer c = launch_created(store, p, options);
    // The container outlives us: nobody is to clean up when we exit.
    c.owned.janitor.dismiss();
}

void start(const StateStore& store, const std::string& id) {
    ContainerState s = load(store, id);
    const std::string status = status_of(store, s);
    if (status != "created")
        throw Error("cannot start container \"" + id + "\": it is " + status + ", not created");
    const std::string fifo = fifo_path(store, id);
    UniqueFd end(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!end) throw SysError("cannot open the exec fifo " + fifo, errno);
    // The child blocks in open(O_WRONLY) until now, then writes one byte and execs.
    for (;;) {
        pollfd p{end.get(), POLLIN, 0};
        int rc = ::poll(&p, 1, 100);
        if (rc > 0 && (p.revents & POLLIN)) {
            char byte;
            if (::read(end.get(), &byte, 1) == 1) break;
        }
        if (rc < 0 && errno != EINTR) throw SysError("poll on the exec fifo", errno);
        if (!running(s.init))
            throw Error("cannot start container \"" + id + "\": its process has exited");
    }
    ::unlink(fifo.c_str());
    auto lock = store.lock(s.spec.id);
    s = store.load(s.spec.id);
    s.status = Status::kRunning;
    s.started_ns = clock::now_ns();
    store.save(s);
    // A failing poststart hook is reported; the container keeps running (runtime-spec).
    try {
        run_hooks(s.spec.hooks.poststart, "poststart", state(store, id).dump());
    } catch (const Error& e) {
        spdlog::warn("{}", e.what());
    }
}

json state(const StateStore& store, const std::string& id) {
    ContainerState s = load(store, id);
    json extra = load_oci(store, s);
    std::map<std::string, std::string> annotations =
        extra.value("annotations", std::map<std::string, std::string>{});
    json j =
        state_json(id, status_of(store, s), s.init.pid, extra.value("bundle", ""), annotations);
    j["rootfs"] = s.spec.rootfs;
    j["created"] = clock::to_rfc3339(s.created_ns);
    j["owner"] = "";
    return j;
}

void kill(const StateStore& store, const std::string& id, int signal, bool all) {
    ContainerState s = load(store, id);
    if (!running(s.init)) throw Error("container \"" + id + "\" is not running");
    if (all && signal == SIGKILL && !s.cgroup.empty()) {
        cgroups::from_json(s.cgroup)->kill_all();
        return;
    }
    if (all) {
        for (int pid : pids(store, id)) ::kill(pid, signal);
        return;
    }
    UniqueFd pidfd = process::open_pidfd(s.init);
    if (!pidfd || !process::send_signal(pidfd.get(), signal))
        throw Error("container \"" + id + "\" is not running");
}

void pause(const StateStore& store, const std::string& id) {
    ContainerState s = load(store, id);
    const std::string status = status_of(store, s);
    if (status != "running")
        throw Error("cannot pause container \"" + id + "\": it is " + status + ", not running");
    if (s.cgroup.is_null() || s.cgroup.empty())
        throw Error("cannot pause container \"" + id + "\": it has no cgroup");
    cgroups::from_json(s.cgroup)->freeze(true);
}

void resume(const StateStore& store, const std::string& id) {
    ContainerState s = load(store, id);
    const std::string status = status_of(store, s);
    if (status != "paused")
        throw Error("cannot resume container \"" + id + "\": it is " + status + ", not paused");
    cgroups::from_json(s.cgroup)->freeze(false);
}

void remove(const StateStore& store, const std::string& id, bool force) {
    check_id(id);
    auto vid = vessel_id(store, id);
    if (!vid) {
        if (force) return;
        throw Error("container \"" + id + "\" does not exist");
    }
    ContainerState s = store.load(*vid);
    const std::string status = status_of(store, s);
    if ((status == "running" || status == "paused") && !force)
        throw Error("cannot delete container \"" + id + "\" that is running: stop it, or --force");
    json stopped = state(store, id);
    stopped["status"] = "stopped";
    stopped["pid"] = 0;
    destroy(store, s);
    try {
        run_hooks(s.spec.hooks.poststop, "poststop", stopped.dump());
    } catch (const Error& e) {
        spdlog::warn("{}", e.what());
    }
}

std::vector<json> list(const StateStore& store) {
    std::vector<json> out;
    if (!fs::exists(store.root())) return out;
    for (const auto& vid : store.list_ids()) {
        try {
            out.push_back(state(store, store.load(vid).spec.name));
        } catch (const Error&) {
            // Removed meanwhile.
        }
    }
    return out;
}

std::vector<int> pids(const StateStore& store, const std::string& id) {
    ContainerState s = load(store, id);
    std::vector<int> out;
    if (!running(s.init)) return out;
    // The init's cgroup, as /proc/PID/cgroup names it (a v1 "pids" line or the v2 "0::" one);
    // every process of the container is in that cgroup.
    std::istringstream lines(fs::read_file(fmt::format("/proc/{}/cgroup", s.init.pid)));
    std::string line, dir;
    while (std::getline(lines, line)) {
        auto first = line.find(':'), second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos) continue;
        std::string controllers = line.substr(first + 1, second - first - 1);
        std::string path = line.substr(second + 1);
        if (controllers == "pids") dir = "/sys/fs/cgroup/pids" + path;
        if (controllers.empty() && dir.empty())
            dir = (fs::exists("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified"
                                                        : "/sys/fs/cgroup") +
                  path;
    }
    std::istringstream procs(fs::try_read_file(dir + "/cgroup.procs").value_or(""));
    for (int pid; procs >> pid;) out.push_back(pid);
    if (out.empty()) out.push_back(s.init.pid);
    return out;
}

int exec(const StateStore& store, const std::string& id, const ExecOptions& o) {
    ContainerState s = load(store, id);
    if (status_of(store, s) != "running") throw Error("container \"" + id + "\" is not running");
    if (o.preserve_fds > 0) throw Error("--preserve-fds is not supported by vessel-oci yet");
    ExecRequest r;
    r.command = o.args;
    r.env = o.env;
    r.workdir = o.cwd;
    r.user = o.user;
    r.tty = o.tty;
    r.detach = o.detach;
    // As runc: the process gets our fds 0-2 (conmon and the shim pass their pipes there, even
    // with --detach) or, with a terminal, the pty whose master goes to --console-socket.
    r.keep_stdio = true;
    r.interactive = true;
    if (!o.process_file.empty()) {
        auto text = fs::try_read_file(o.process_file);
        if (!text) throw Error("cannot read --process " + o.process_file);
        json process;
        try {
            process = json::parse(*text);
        } catch (const json::exception& e) {
            throw Error("--process " + o.process_file + " is not valid JSON: " + e.what());
        }
        // The process object of config.json, checked by the same parser: wrapped in a minimal
        // config, so every field gets the same checks and messages.
        json config = {
            {"ociVersion", "1.1.0"},
            {"root", {{"path", "/"}}},
            {"process", process},
            {"linux",
             {{"namespaces",
               {{{"type", "mount"}}, {{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}}}}}}};
        Config c = parse_config(config.dump(), "/", host_features());
        r.command = c.spec.args;
        r.env = c.spec.env;
        r.workdir = c.spec.workdir;
        r.user = fmt::format("{}:{}", c.user.uid, c.user.gid);
        r.tty = r.tty || c.spec.tty;
    }
    if (r.tty && o.console_socket.empty())
        throw Error("exec with a terminal needs --console-socket to hand the terminal over");
    // Without --detach, exec_into would relay the pty itself while the engine holds its master
    // too. Engines always pass --detach (docs/oci.md).
    if (r.tty && !r.detach)
        throw Error("exec with a terminal needs --detach: the engine holds the terminal");
    if (!r.tty && !o.console_socket.empty())
        throw Error("--console-socket needs a terminal (--tty, or process.terminal in --process)");
    // exec_into enters the container's mount namespace before the process starts: the console
    // socket is connected and the pid file's directory opened now, on the host; both are used
    // through their fds once the process runs.
    UniqueFd console;
    if (r.tty) console = connect_console(o.console_socket);
    UniqueFd pid_dir;
    std::string pid_name;
    if (!o.pid_file.empty()) {
        const std::string absolute =
            o.pid_file[0] == '/' ? o.pid_file : fs::real_path(".") + "/" + o.pid_file;
        const auto slash = absolute.rfind('/');
        pid_name = absolute.substr(slash + 1);
        pid_dir = fs::open_dir(slash == 0 ? "/" : absolute.substr(0, slash));
    }
    auto on_started = [&](pid_t pid, int pty_master) {
        if (console && pty_master >= 0) send_console(console.get(), o.console_socket, pty_master);
        if (!pid_dir) return;
        const std::string tmp = "." + pid_name + ".tmp";
        UniqueFd f(
            ::openat(pid_dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        const std::string text = std::to_string(pid);
        if (!f || ::write(f.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
            ::renameat(pid_dir.get(), tmp.c_str(), pid_dir.get(), pid_name.c_str()) != 0)
            throw SysError("cannot write the pid file " + o.pid_file, errno);
    };
    return exec_into(store, s.spec.id, r, on_started);
}

int run(const StateStore& store, const std::string& id, const CreateOptions& options, bool detach) {
    Prepared p = prepare(store, id, options);
    RunningContainer c = launch_created(store, p, options);
    try {
        start(store, id);
    } catch (...) {
        destroy(store, c.state);
        c.owned.janitor.dismiss();
        throw;
    }
    if (detach) {
        c.owned.janitor.dismiss();
        return 0;
    }
    // We are the container's parent here: wait for it, then delete it as `runc run` does.
    int code = process::wait_exit_code(c.owned.init.get());
    c.owned.janitor.dismiss();
    destroy(store, store.load(c.state.spec.id));
    return code;
}

json features() {
    json caps = json::array();
    for (int i = 0; i <= caps::kLastKnown; ++i) caps.push_back(caps::name(i));
    return {
        {"ociVersionMin", "1.0.0"},
        {"ociVersionMax", "1.1.0"},
        {"hooks", {"prestart", "createRuntime", "poststart", "poststop"}},
        {"mountOptions", {"async",         "atime",      "bind",       "defaults",  "dev",
                          "diratime",      "dirsync",    "exec",       "iversion",  "lazytime",
                          "loud",          "mand",       "noatime",    "nodev",     "nodiratime",
                          "noexec",        "noiversion", "nolazytime", "nomand",    "norelatime",
                          "nostrictatime", "nosuid",     "private",    "rbind",     "relatime",
                          "remount",       "ro",         "rprivate",   "rshared",   "rslave",
                          "runbindable",   "rw",         "shared",     "silent",    "slave",
                          "strictatime",   "suid",       "sync",       "tmpcopyup", "unbindable"}},
        {"linux",
         {{"namespaces", {"cgroup", "ipc", "mount", "network", "pid", "uts"}},
          {"capabilities", caps},
          {"cgroup", {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}}},
          {"seccomp",
           {{"enabled", true},
            {"actions",
             {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
              "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"}},
            {"operators",
             {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
              "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"}},
            {"archs",
             {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64",
              "SCMP_ARCH_ARM"}}}},
          {"apparmor", {{"enabled", false}}},
          {"selinux", {{"enabled", false}}}}},
        {"annotations", {{"org.vessel.version", VESSEL_VERSION}}}};
}

}  // namespace vessel::oci
