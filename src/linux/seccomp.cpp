#include "vessel/linux/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/hash.hpp"
#include "vessel/util/log.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::seccomp {
namespace {

using seccomp_profile::Action;
using seccomp_profile::Op;

// System calls newer than the libseccomp vessel is built with (Debian 12 has 2.5.4). Docker's
// profile allows them; libseccomp cannot name them yet, so they keep the default action (EPERM)
// instead of failing the whole profile. Any other unknown name is an error in the profile.
constexpr std::string_view kNewerThanLibseccomp[] = {
    "cachestat",        "fchmodat2", "map_shadow_stack", "futex_wake",        "futex_wait",
    "futex_requeue",    "statmount", "listmount",        "lsm_get_self_attr", "lsm_set_self_attr",
    "lsm_list_modules", "mseal",     "setxattrat",       "getxattrat",        "listxattrat",
    "removexattrat",    "uretprobe", "riscv_hwprobe",    "open_tree_attr",    "file_getattr",
    "file_setattr",
};

uint32_t to_scmp(Action action, uint32_t err) {
    switch (action) {
        case Action::kKillProcess:
            return SCMP_ACT_KILL_PROCESS;
        case Action::kKillThread:
            return SCMP_ACT_KILL_THREAD;
        case Action::kTrap:
            return SCMP_ACT_TRAP;
        case Action::kErrno:
            return SCMP_ACT_ERRNO(err);
        case Action::kTrace:
            return SCMP_ACT_TRACE(err);
        case Action::kLog:
            return SCMP_ACT_LOG;
        case Action::kAllow:
            return SCMP_ACT_ALLOW;
    }
    return SCMP_ACT_KILL_PROCESS;
}

scmp_compare to_scmp(Op op) {
    switch (op) {
        case Op::kNe:
            return SCMP_CMP_NE;
        case Op::kLt:
            return SCMP_CMP_LT;
        case Op::kLe:
            return SCMP_CMP_LE;
        case Op::kEq:
            return SCMP_CMP_EQ;
        case Op::kGe:
            return SCMP_CMP_GE;
        case Op::kGt:
            return SCMP_CMP_GT;
        case Op::kMaskedEq:
            return SCMP_CMP_MASKED_EQ;
    }
    return SCMP_CMP_EQ;
}

struct CtxDeleter {
    void operator()(void* ctx) const { seccomp_release(ctx); }
};

}  // namespace

bool kernel_has_x32_abi() {
    // getpid through the x32 system call table: the pid where there is one, ENOSYS where the
    // kernel was built without x32 or boots with it off (Debian's kernels build it in but
    // leave it off unless booted with syscall.x32=y).
    constexpr long kX32SyscallBit = 0x40000000;
    auto probe = [] { return ::syscall(kX32SyscallBit | SYS_getpid) != -1 || errno != ENOSYS; };
    if (::prctl(PR_GET_SECCOMP) == 0) return probe();
    // vessel itself runs under a seccomp filter (a container, a systemd unit with
    // SystemCallArchitectures=native): an x32 call might kill us. Ask in a child instead; a
    // child killed for asking is a "no".
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(probe() ? 0 : 1);
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return true;  // unknown: keep x32 filtered
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::pair<int, int> kernel_version() {
    utsname u{};
    int major = 0, minor = 0;
    if (::uname(&u) == 0) std::sscanf(u.release, "%d.%d", &major, &minor);
    return {major, minor};
}

Program compile(const seccomp_profile::Resolved& profile) {
    const std::string source = profile.source.empty() ? "(default)" : profile.source;
    auto fail = [&](const std::string& where, const std::string& what) -> Error {
        return Error(fmt::format("seccomp profile {}: {}: {}", source, where, what));
    };
    std::unique_ptr<void, CtxDeleter> ctx(
        seccomp_init(to_scmp(profile.default_action, profile.default_errno)));
    if (!ctx) throw Error("seccomp_init failed");
    // We set no_new_privs ourselves (or, with --security-opt no-new-privileges=false, do not).
    seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
    // x32 left out on a kernel that cannot run it: its calls get the kernel's own answer.
    if (profile.left_out_x32) {
        if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
            rc != 0)
            throw Error(fmt::format("libseccomp cannot answer other architectures with ENOSYS: {}",
                                    errno_text(-rc)));
    }
    for (const auto& arch_name : profile.architectures) {
        // libseccomp's names are lower case ("x86_64"); the profile's are SCMP_ARCH_X86_64.
        std::string lower = arch_name.substr(std::string_view("SCMP_ARCH_").size());
        std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
            return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        });
        uint32_t arch = seccomp_arch_resolve_name(lower.c_str());
        if (arch == 0)
            throw fail("architectures", fmt::format("libseccomp does not know {}", arch_name));
        int rc = seccomp_arch_add(ctx.get(), arch);
        if (rc != 0 && rc != -EEXIST)
            throw fail("architectures",
                       fmt::format("cannot add {}: {}", arch_name, errno_text(-rc)));
    }

    Program program;
    for (const auto& rule : profile.rules) {
        int nr = seccomp_syscall_resolve_name(rule.name.c_str());
        if (nr == __NR_SCMP_ERROR) {
            if (std::find(std::begin(kNewerThanLibseccomp), std::end(kNewerThanLibseccomp),
                          rule.name) != std::end(kNewerThanLibseccomp)) {
                if (std::find(program.skipped.begin(), program.skipped.end(), rule.name) ==
                    program.skipped.end())
                    program.skipped.push_back(rule.name);
                continue;
            }
            throw fail(rule.where, fmt::format("unknown system call \"{}\"", rule.name));
        }
        std::vector<scmp_arg_cmp> conditions;
        int per_index[6] = {};
        bool repeated = false;
        for (const auto& a : rule.args) {
            scmp_arg_cmp c{};
            c.arg = a.index;
            c.op = to_scmp(a.op);
            c.datum_a = a.value;
            c.datum_b = a.value_two;
            conditions.push_back(c);
            repeated = repeated || ++per_index[a.index] > 1;
        }
        const uint32_t action = to_scmp(rule.action, rule.errno_ret);
        auto add = [&](const scmp_arg_cmp* conds, unsigned count) {
            int rc = seccomp_rule_add_array(ctx.get(), action, nr, count, conds);
            if (rc != 0)
                throw fail(rule.where, fmt::format("libseccomp refuses the rule for \"{}\": {}",
                                                   rule.name, errno_text(-rc)));
        };
        // As runc does: conditions on distinct arguments are ANDed in one rule; when one
        // argument is tested twice, each condition becomes a rule of its own (ORed).
        if (repeated) {
            for (auto& c : conditions) add(&c, 1);
        } else {
            add(conditions.data(), static_cast<unsigned>(conditions.size()));
        }
        ++program.rules;
    }
    // A binary tree of system call numbers instead of one long chain of comparisons. Longer
    // (870 instructions against 702 for Docker's profile), yet loaded 3 times faster: at load,
    // the kernel runs the filter once for every system call number of the native and compat
    // architectures to find those it always allows (its per-filter bitmap cache, Linux 5.11),
    // and in a chain most of those runs walk hundreds of comparisons. Only with a few rules or
    // more, as runc does: libseccomp before 2.5.4 got a tree without rules wrong.
    if (program.rules >= 8) {
        if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2); rc != 0)
            spdlog::debug("libseccomp cannot build a binary tree: {}", errno_text(-rc));
    }
    for (const auto& flag : profile.flags) {
        if (flag == "SECCOMP_FILTER_FLAG_LOG") program.flags |= SECCOMP_FILTER_FLAG_LOG;
        if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW")
            program.flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    }

    // libseccomp writes the program to a file descriptor; a memfd keeps it in memory.
    UniqueFd mem(::memfd_create("vessel-seccomp", MFD_CLOEXEC));
    if (!mem) throw SysError("memfd_create", errno);
    int rc = seccomp_export_bpf(ctx.get(), mem.get());
    if (rc != 0)
        throw Error(fmt::format("seccomp profile {}: cannot export the filter: {}", source,
                                errno_text(-rc)));
    if (::lseek(mem.get(), 0, SEEK_SET) != 0) throw SysError("lseek", errno);
    std::string bytes = fs::read_fd(mem.get(), "the seccomp filter");
    if (bytes.empty() || bytes.size() % sizeof(sock_filter) != 0)
        throw Error("seccomp: libseccomp produced a malformed program");
    if (bytes.size() / sizeof(sock_filter) > BPF_MAXINSNS)
        throw Error(fmt::format(
            "seccomp profile {}: the filter has {} instructions, more than the kernel's {}", source,
            bytes.size() / sizeof(sock_filter), BPF_MAXINSNS));
    program.code.resize(bytes.size() / sizeof(sock_filter));
    std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(program.code.data()));
    return program;
}

namespace {
// "VSECBPF1", then flags, the number of rules and of instructions (uint32 each), then the
// instructions.
// "VSECBPF2": format 2 adds a checksum of the instructions, so that a file torn by a crash
// (cached programs are reused across starts) is refused instead of loaded.
constexpr char kMagic[8] = {'V', 'S', 'E', 'C', 'B', 'P', 'F', '2'};
constexpr size_t kHeader = sizeof kMagic + 3 * sizeof(uint32_t) + sizeof(uint64_t);

uint64_t checksum(const char* code, size_t size) {
    return hash::fnv1a64(std::string_view(code, size));
}
}  // namespace

std::string serialize(const Program& program) {
    std::string out(kMagic, sizeof kMagic);
    const uint32_t head[3] = {program.flags, static_cast<uint32_t>(program.rules),
                              static_cast<uint32_t>(program.code.size())};
    const char* code = reinterpret_cast<const char*>(program.code.data());
    const size_t size = program.code.size() * sizeof(sock_filter);
    const uint64_t sum = checksum(code, size);
    out.append(reinterpret_cast<const char*>(head), sizeof head);
    out.append(reinterpret_cast<const char*>(&sum), sizeof sum);
    out.append(code, size);
    return out;
}

std::optional<Program> deserialize(std::string_view bytes) {
    if (bytes.size() < kHeader ||
        bytes.substr(0, sizeof kMagic) != std::string_view(kMagic, sizeof kMagic))
        return std::nullopt;
    uint32_t head[3];
    std::memcpy(head, bytes.data() + sizeof kMagic, sizeof head);
    const uint32_t count = head[2];
    if (count == 0 || count > BPF_MAXINSNS || bytes.size() != kHeader + count * sizeof(sock_filter))
        return std::nullopt;
    uint64_t sum;
    std::memcpy(&sum, bytes.data() + sizeof kMagic + sizeof head, sizeof sum);
    if (sum != checksum(bytes.data() + kHeader, count * sizeof(sock_filter))) return std::nullopt;
    Program program;
    program.flags = head[0];
    program.rules = head[1];
    program.code.resize(count);
    std::memcpy(program.code.data(), bytes.data() + kHeader, count * sizeof(sock_filter));
    return program;
}

void load(const Program& program) {
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(program.code.size());
    prog.filter = const_cast<sock_filter*>(program.code.data());
    long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program.flags, &prog);
    int err = errno;
    explain::syscall(explain::Chapter::kSeccomp,
                     fmt::format("seccomp(SECCOMP_SET_MODE_FILTER, {}, {{len={}}})", program.flags,
                                 program.code.size()),
                     rc, err,
                     fmt::format("the filter is on: {} calls with rules, the rest get the default",
                                 program.rules));
    if (rc != 0)
        throw SysError("cannot load the seccomp filter", err,
                       err == EACCES ? "it needs no_new_privs or CAP_SYS_ADMIN" : "");
}

}  // namespace vessel::seccomp
