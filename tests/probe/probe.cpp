// vessel's escape probe: a static program that the integration tests copy into a test image and
// run INSIDE a container. It tries, one by one, what a process escaping a container would try
// (mount, unshare, keyctl, bpf, opening a disk, writing /proc/sysrq-trigger, ...) and checks
// that each is refused with the errno the defaults promise (docs/security.md has the list).
// Under --privileged the same attempts succeed, which is how the tests show the probe can fail.
//
// It refuses to run unless it is PID 1 of a fresh pid namespace, or is given --in-container:
// never run it on the host. Every attempt is made in a forked child and, where it could succeed,
// with arguments that make it harmless (a bad magic number for reboot, invalid flags for
// kexec_load, open without write for sysrq-trigger).
//
//   probe --expect default [--cap-eff HEX] [--nnp 0|1] [--seccomp 0|2] [--userns]
//   probe --expect privileged [--cap-eff HEX]
//   probe --in-container --ids      (prints uid and euid: for the setuid tests)
#include <dirent.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

namespace {

enum class Mode { kDefault, kPrivileged };
Mode mode = Mode::kDefault;
int failures = 0, checks = 0;

const char* err_name(int err) {
    if (err == 0) return "success";
    const char* n = strerrorname_np(err);
    return n ? n : "E?";
}

void report(bool ok, const std::string& name, const std::string& detail) {
    ++checks;
    if (!ok) ++failures;
    std::printf("%s %-34s %s\n", ok ? "ok  " : "FAIL", name.c_str(), detail.c_str());
}

void skip(const std::string& name, const std::string& why) {
    std::printf("skip %-34s %s\n", name.c_str(), why.c_str());
}

// Runs `attempt` in a child; returns 0 when it succeeded, its errno when refused, or -signal.
int in_child(const std::function<int()>& attempt) {
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        errno = 0;
        int rc = attempt();
        _exit(rc == 0 ? 0 : (errno ? errno : 255));
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return WEXITSTATUS(status);
}

std::string describe(int r) {
    if (r < 0) return "killed by signal " + std::to_string(-r);
    return err_name(r);
}

// A call that the defaults refuse with `denied` and --privileged lets through. `allowed_ok`
// says what counts as "let through" under --privileged: success, or any errno but the denial
// (the kernel then got past its permission checks and refused our harmless arguments).
enum class Allowed { kSuccess, kNotDenied, kNotAsserted };
// `also` is a second errno that counts as refused (EACCES where a user namespace makes the
// permission check fail before the read-only mount's).
void expect_denied(const std::string& name, int denied, Allowed allowed,
                   const std::function<int()>& attempt, int also = -1) {
    int r = in_child(attempt);
    if (mode == Mode::kDefault) {
        bool ok = r == denied || (also > 0 && r == also);
        report(ok, name,
               "refused with " + describe(r) +
                   (ok ? "" : std::string(", expected ") + err_name(denied)));
    } else {
        if (allowed == Allowed::kNotAsserted) {
            skip(name,
                 "privileged: " + describe(r) + " (the host itself may refuse it; not asserted)");
            return;
        }
        bool ok = allowed == Allowed::kSuccess ? r == 0 : (r >= 0 && r != denied);
        report(ok, name, "privileged: " + describe(r));
    }
}

std::string status_field(const char* key) {
    FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return "";
    char line[512];
    std::string out;
    size_t len = std::strlen(key);
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, key, len) == 0 && line[len] == ':') {
            const char* v = line + len + 1;
            while (*v == ' ' || *v == '\t') ++v;
            out = v;
            while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
        }
    }
    std::fclose(f);
    return out;
}

long read_bytes(const char* path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    char buf[64];
    long n = read(fd, buf, sizeof buf);
    close(fd);
    return n < 0 ? -errno : n;
}

bool is_dev_null(const char* path) {
    struct stat st {};
    return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

// The first block device the kernel lists (/proc/partitions), or 0.
dev_t a_block_device() {
    FILE* f = std::fopen("/proc/partitions", "r");
    if (!f) return 0;
    char line[256];
    unsigned major = 0, minor = 0;
    dev_t found = 0;
    while (std::fgets(line, sizeof line, f)) {
        if (std::sscanf(line, " %u %u", &major, &minor) == 2) {
            found = makedev(major, minor);
            break;
        }
    }
    std::fclose(f);
    return found;
}

// Whether the container runs in a user namespace (--userns=remap), as the test says: mknod of a
// device then fails in the kernel (CAP_MKNOD counts only in the initial user namespace).
bool in_userns = false;

// The device cgroup's check, in two steps reported apart: mknod (which CAP_MKNOD allows, or a
// user namespace refuses), then opening the node, which is what the device cgroup decides. A
// refused mknod must never pass for the device cgroup's refusal: both are EPERM.
void check_device_node(const std::string& label, const char* path, mode_t type, dev_t dev,
                       Allowed allowed) {
    const std::string node = std::string(S_ISBLK(type) ? "b " : "c ") + std::to_string(major(dev)) +
                             ":" + std::to_string(minor(dev));
    unlink(path);
    const int made = mknod(path, type | 0600, dev) == 0 ? 0 : errno;
    if (in_userns) {
        report(
            made == EPERM, "mknod " + node,
            "in a user namespace: " + describe(made) + (made == EPERM ? "" : ", expected EPERM"));
        if (made == 0) unlink(path);
        skip(label, "no node to open (the integration tests open an existing one instead)");
        return;
    }
    report(made == 0, "mknod " + node,
           made == 0 ? "made (CAP_MKNOD)" : "refused with " + describe(made));
    if (made != 0) {
        report(false, label, "not reached: mknod failed, so the device cgroup was never asked");
        return;
    }
    expect_denied(label, EPERM, allowed,
                  [path] { return open(path, O_RDONLY | O_CLOEXEC) < 0 ? -1 : 0; });
    unlink(path);
}

// A cgroup file named `name` in any cgroup filesystem mounted under /sys/fs/cgroup, or "".
std::string find_cgroup_file(const char* name) {
    std::string top = std::string("/sys/fs/cgroup/") + name;
    if (access(top.c_str(), F_OK) == 0) return top;
    DIR* d = opendir("/sys/fs/cgroup");
    if (!d) return "";
    std::string found;
    while (dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        std::string p = std::string("/sys/fs/cgroup/") + e->d_name + "/" + name;
        if (access(p.c_str(), F_OK) == 0) {
            found = p;
            break;
        }
    }
    closedir(d);
    return found;
}

void check_cgroup_file(const char* name, const char* fstype, const char* options) {
    std::string file = find_cgroup_file(name);
    std::string label = std::string("write ") + name;
    if (!file.empty()) {
        int r = in_child([&] { return open(file.c_str(), O_WRONLY | O_CLOEXEC) < 0 ? -1 : 0; });
        if (mode == Mode::kDefault)
            report(r == EROFS || r == EACCES || r == EPERM, label, file + ": " + describe(r));
        else
            report(true, label, "privileged: " + file + ": " + describe(r) + " (not asserted)");
        return;
    }
    // No cgroup filesystem visible: then mounting one (CVE-2022-0492's first step) must fail.
    mkdir("/tmp/.probe-cg", 0700);
    expect_denied(label + " (mount " + fstype + ")", EPERM, Allowed::kSuccess, [&] {
        if (mount("cgroup", "/tmp/.probe-cg", fstype, 0, options) != 0) return -1;
        umount2("/tmp/.probe-cg", MNT_DETACH);
        return 0;
    });
    rmdir("/tmp/.probe-cg");
}

}  // namespace

int main(int argc, char** argv) {
    bool in_container = false, ids_only = false;
    std::string cap_eff, expect_nnp = "1", expect_seccomp = "2";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--in-container")
            in_container = true;
        else if (a == "--expect")
            mode = next() == "privileged" ? Mode::kPrivileged : Mode::kDefault;
        else if (a == "--cap-eff")
            cap_eff = next();
        else if (a == "--nnp")
            expect_nnp = next();
        else if (a == "--seccomp")
            expect_seccomp = next();
        else if (a == "--userns")
            in_userns = true;
        else if (a == "--ids")
            ids_only = true;
        else {
            std::fprintf(stderr, "probe: unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    // Never on the host: PID 1 means a pid namespace of our own (the host's PID 1 is its init).
    if (getpid() != 1 && !in_container) {
        std::fprintf(
            stderr,
            "probe: refusing to run: not PID 1 of a fresh pid namespace. This program tries "
            "to escape containers; run it only inside one (or pass --in-container there).\n");
        return 3;
    }
    if (ids_only) {  // for the setuid tests: who are we after execve?
        std::printf("uid=%d euid=%d\n", getuid(), geteuid());
        return 0;
    }
    setvbuf(stdout, nullptr, _IOLBF, 0);
    const bool priv = mode == Mode::kPrivileged;
    // Docker's 14 by default; under --privileged every capability (the tests pass vessel's own
    // set when it runs with fewer than all).
    if (cap_eff.empty()) cap_eff = priv ? "000001ffffffffff" : "00000000a80425fb";

    // --- system calls the defaults refuse (seccomp, capabilities) ---
    mkdir("/tmp/.probe-mnt", 0700);
    expect_denied("mount", EPERM, Allowed::kSuccess, [] {
        if (mount("tmpfs", "/tmp/.probe-mnt", "tmpfs", 0, "size=4k") != 0) return -1;
        return umount2("/tmp/.probe-mnt", 0);
    });
    rmdir("/tmp/.probe-mnt");
    expect_denied("umount2 /proc/kcore", EPERM, Allowed::kNotDenied,
                  [] { return umount2("/proc/kcore", MNT_DETACH); });
    expect_denied("unshare(CLONE_NEWUSER)", EPERM, Allowed::kSuccess,
                  [] { return unshare(CLONE_NEWUSER); });
    expect_denied("unshare(CLONE_NEWNS)", EPERM, Allowed::kSuccess,
                  [] { return unshare(CLONE_NEWNS); });
    expect_denied("clone(CLONE_NEWNS)", EPERM, Allowed::kSuccess, [] {
        long pid = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
        if (pid == 0) _exit(0);
        if (pid < 0) return -1;
        waitpid(static_cast<pid_t>(pid), nullptr, 0);
        return 0;
    });
    expect_denied("setns(mnt)", EPERM, Allowed::kSuccess, [] {
        int fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        return fd < 0 ? -1 : setns(fd, CLONE_NEWNS);
    });
    expect_denied("pivot_root", EPERM, Allowed::kNotDenied, [] {
        return static_cast<int>(syscall(SYS_pivot_root, "/nonexistent", "/nonexistent"));
    });
    expect_denied("keyctl", EPERM, Allowed::kNotDenied, [] {
        return static_cast<int>(
                   syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0)) < 0
                   ? -1
                   : 0;
    });
    expect_denied("add_key", EPERM, Allowed::kNotDenied, [] {
        return static_cast<int>(syscall(SYS_add_key, "user", "vessel-probe", "x", 1, 0x7ffffff0)) <
                       0
                   ? -1
                   : 0;
    });
    expect_denied("request_key", EPERM, Allowed::kNotDenied, [] {
        return static_cast<int>(
                   syscall(SYS_request_key, "user", "vessel-probe-none", nullptr, 0x7ffffff0)) < 0
                   ? -1
                   : 0;
    });
    expect_denied("reboot", EPERM, Allowed::kNotDenied, [] {
        return static_cast<int>(syscall(SYS_reboot, 0, 0, 0, nullptr));
    });  // bad magic
    expect_denied("kexec_load", EPERM, Allowed::kNotDenied, [] {
        return static_cast<int>(syscall(SYS_kexec_load, 0, 0, nullptr, 0xdead0000UL));
    });
    expect_denied("init_module", EPERM, Allowed::kNotDenied,
                  [] { return static_cast<int>(syscall(SYS_init_module, nullptr, 0, "")); });
    expect_denied("open_by_handle_at", EPERM, Allowed::kNotDenied, [] {
        struct {
            unsigned int handle_bytes;
            int handle_type;
        } handle{0, 0};  // an empty handle: EINVAL once past the permission check
        return static_cast<int>(syscall(SYS_open_by_handle_at, AT_FDCWD, &handle, O_RDONLY));
    });
    expect_denied("bpf", EPERM, Allowed::kNotDenied, [] {
        union bpf_attr attr {};  // map type 0: EINVAL once allowed
        return static_cast<int>(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr));
    });
    expect_denied("perf_event_open", EPERM, Allowed::kNotDenied, [] {
        perf_event_attr attr{};
        attr.size = 1;  // too small: E2BIG/EINVAL once allowed
        return static_cast<int>(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
    });
    expect_denied("userfaultfd", EPERM, Allowed::kNotDenied, [] {
        long fd = syscall(SYS_userfaultfd, O_CLOEXEC);
        return fd < 0 ? -1 : 0;
    });
    expect_denied("io_uring_setup", EPERM, Allowed::kNotDenied, [] {
        char params[120] = {};
        return static_cast<int>(syscall(SYS_io_uring_setup, 0, params)) < 0 ? -1 : 0;
    });
    expect_denied("settimeofday", EPERM, Allowed::kSuccess, [] {
        return static_cast<int>(syscall(SYS_settimeofday, nullptr, nullptr));
    });  // changes nothing
    expect_denied("sethostname", EPERM, Allowed::kSuccess, [] {
        char name[65] = {};
        gethostname(name, sizeof name - 1);
        return sethostname(name, std::strlen(name));  // the same name: changes nothing
    });
    expect_denied("socket(AF_ALG)", EPERM, Allowed::kNotDenied, [] {
        int fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        return fd < 0 ? -1 : 0;
    });
    expect_denied("personality(PER_BSD)", EPERM, Allowed::kNotDenied,
                  [] { return personality(PER_BSD) < 0 ? -1 : 0; });
    {
        // An x32 system call (getpid through the x32 table). Where the kernel runs x32, the filter
        // allows getpid; where it was built without x32, vessel's filter leaves that architecture
        // out and answers ENOSYS, as the kernel itself would. Never a kill (docs/seccomp.md).
        int r = in_child([] { return syscall(0x40000000 | SYS_getpid) < 0 ? -1 : 0; });
        report(r == 0 || r == ENOSYS, "x32 getpid",
               "answered " + describe(r) + (r == 0 || r == ENOSYS ? "" : ", expected 0 or ENOSYS"));
    }
    {
        // clone3 answers ENOSYS (not EPERM), so libc falls back to clone, which the filter can
        // inspect.
        int r = in_child([] { return static_cast<int>(syscall(SYS_clone3, nullptr, 0)); });
        if (!priv)
            report(r == ENOSYS, "clone3",
                   "refused with " + describe(r) + (r == ENOSYS ? "" : ", expected ENOSYS"));
        else
            report(r != ENOSYS, "clone3", "privileged: " + describe(r));
    }

    // --- devices: mknod works (CAP_MKNOD), opening is what the device cgroup refuses ---
    // Under --privileged: success, or ENXIO where the kernel has no /dev/mem driver.
    check_device_node("open mknod'ed /dev/mem (c 1:1)", "/tmp/.probe-mem", S_IFCHR, makedev(1, 1),
                      Allowed::kNotDenied);
    // Where the kernel has /dev/mem, its driver itself refuses an open without CAP_SYS_RAWIO,
    // with EPERM too: the check above could then pass without any device cgroup. /dev/fuse's
    // driver checks nothing: only the device cgroup refuses it (an allowed open succeeds, or
    // gives ENODEV without a fuse driver).
    check_device_node("open mknod'ed /dev/fuse (c 10:229)", "/tmp/.probe-fuse", S_IFCHR,
                      makedev(10, 229), Allowed::kNotDenied);
    if (dev_t blk = a_block_device()) {
        std::string label = "open host block device (b " + std::to_string(major(blk)) + ":" +
                            std::to_string(minor(blk)) + ")";
        check_device_node(label, "/tmp/.probe-blk", S_IFBLK, blk, Allowed::kNotAsserted);
    }

    // --- /proc and /sys: read-only and masked paths ---
    expect_denied(
        "write /proc/sys", EROFS, Allowed::kSuccess,
        [] { return open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC) < 0 ? -1 : 0; },
        EACCES);
    if (access("/proc/sysrq-trigger", F_OK) == 0)
        expect_denied("write /proc/sysrq-trigger", EROFS, Allowed::kSuccess, [] {
            return open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC) < 0 ? -1 : 0;
        });  // never written
    else
        skip("write /proc/sysrq-trigger", "this kernel has no /proc/sysrq-trigger");
    check_cgroup_file("release_agent", "cgroup", "memory");
    check_cgroup_file("cgroup.procs", "cgroup2", nullptr);
    for (const char* path : {"/proc/kcore", "/proc/keys", "/proc/timer_list"}) {
        if (access(path, F_OK) != 0 && errno == ENOENT) {
            skip(std::string("read ") + path, "this kernel has no such file");
            continue;
        }
        long n = read_bytes(path);
        bool masked = is_dev_null(path);
        std::string got = (masked ? "masked with /dev/null, " : "not masked, ") +
                          std::string("read ") + std::to_string(n) + " bytes";
        if (!priv)
            report(masked && n == 0, std::string("read ") + path, got);
        else if (std::strcmp(path, "/proc/keys") == 0)
            report(!masked, std::string("read ") + path, "privileged: " + got);
        else
            report(!masked && n > 0, std::string("read ") + path, "privileged: " + got);
    }

    // --- the process itself ---
    auto expect_field = [&](const char* key, const std::string& want) {
        std::string got = status_field(key);
        report(got == want, key, got + (got == want ? "" : " (expected " + want + ")"));
    };
    expect_field("CapInh", "0000000000000000");
    expect_field("CapAmb", "0000000000000000");
    expect_field("CapEff", cap_eff);
    expect_field("CapBnd", cap_eff);
    expect_field("NoNewPrivs", expect_nnp);
    expect_field("Seccomp", priv ? "0" : expect_seccomp);
    {
        std::string open_fds;
        DIR* d = opendir("/proc/self/fd");
        int self = d ? dirfd(d) : -1;
        while (dirent* e = d ? readdir(d) : nullptr) {
            if (e->d_name[0] == '.' || std::atoi(e->d_name) == self) continue;
            if (std::atoi(e->d_name) > 2)
                open_fds += std::string(open_fds.empty() ? "" : ",") + e->d_name;
        }
        if (d) closedir(d);
        report(open_fds.empty(), "no fd beyond 0-2",
               open_fds.empty() ? "none" : "open: " + open_fds);
    }
    {
        // CVE-2019-5736: the container's PID 1 is the command itself, not vessel; nothing of
        // vessel's is in our pid namespace for /proc/PID/exe to reach.
        // Either PID 1 is the command (its exe is not vessel, and being executed it cannot be
        // opened for writing), or it is vessel's --init, which is not dumpable: its exe link
        // cannot even be read.
        char exe[256] = {};
        ssize_t n = readlink("/proc/1/exe", exe, sizeof exe - 1);
        int rerr = n < 0 ? errno : 0;
        int w = open("/proc/1/exe", O_WRONLY | O_CLOEXEC);
        int werr = w < 0 ? errno : 0;
        if (w >= 0) close(w);
        bool hidden = n < 0 && (rerr == EACCES || rerr == EPERM);
        report((hidden || (n > 0 && std::strstr(exe, "vessel") == nullptr)) && w < 0,
               "/proc/1/exe is not vessel",
               (hidden ? std::string("unreadable: ") + err_name(rerr) : std::string(exe)) +
                   ", open for writing: " + err_name(werr));
        report(getppid() == 0 || getpid() != 1, "no parent in our pid namespace",
               "ppid " + std::to_string(getppid()));
        // No process we can see runs a readable vessel binary (vessel's own parent is in the
        // host's pid namespace: no /proc/PID of it exists here).
        std::string seen;
        if (DIR* d = opendir("/proc")) {
            while (dirent* e = readdir(d)) {
                if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
                char link[256] = {};
                std::string path = std::string("/proc/") + e->d_name + "/exe";
                if (readlink(path.c_str(), link, sizeof link - 1) > 0 &&
                    std::strstr(link, "vessel"))
                    seen += std::string(seen.empty() ? "" : ", ") + e->d_name + " -> " + link;
            }
            closedir(d);
        }
        report(seen.empty(), "no visible process runs vessel", seen.empty() ? "none" : seen);
    }

    std::printf("probe: %d checks, %d failed (%s expectations)\n", checks, failures,
                priv ? "privileged" : "default");
    return failures == 0 ? 0 : 1;
}
