// Seccomp profiles as data (docs/seccomp.md): the JSON format of Docker's profiles (with its
// archMap, includes/excludes and capability-gated groups) and the OCI runtime spec's
// linux.seccomp object, parsed into one structure, then resolved for one container: its
// architecture, its capabilities and the running kernel decide which entries apply.
//
// Kernel-free and libseccomp-free, so it is unit-tested and fuzzed (tests/fuzz/) without root.
// src/linux/seccomp.cpp compiles a Resolved profile into a BPF program with libseccomp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vessel/core/capability_set.hpp"

namespace vessel::seccomp_profile {

enum class Action { kKillProcess, kKillThread, kTrap, kErrno, kTrace, kLog, kAllow };
enum class Op { kNe, kLt, kLe, kEq, kGe, kGt, kMaskedEq };

std::string_view to_string(Action action);  // "SCMP_ACT_ALLOW"
std::string_view to_string(Op op);          // "SCMP_CMP_MASKED_EQ"

struct Arg {
    unsigned index = 0;      // which argument, 0..5
    uint64_t value = 0;      // compared with; for MASKED_EQ the mask
    uint64_t value_two = 0;  // for MASKED_EQ: what (arg & mask) must equal
    Op op = Op::kEq;
    bool operator==(const Arg&) const = default;
};

// Docker's "includes"/"excludes": an entry applies only when (includes) or unless (excludes)
// the container has these capabilities, runs on these architectures, or a kernel this new.
struct Condition {
    std::vector<std::string> caps;                  // "CAP_SYS_ADMIN"
    std::vector<std::string> arches;                // Go's names: "amd64", "arm64", "s390x"...
    std::optional<std::pair<int, int>> min_kernel;  // "4.8" -> {4, 8}
    bool empty() const { return caps.empty() && arches.empty() && !min_kernel; }
};

struct Rule {
    std::vector<std::string> names;  // system calls
    Action action = Action::kAllow;
    std::optional<uint32_t> errno_ret;  // for kErrno (default EPERM) and kTrace
    std::vector<Arg> args;              // all must hold (AND)
    Condition includes, excludes;
    std::string where;  // "syscalls[12]", for messages
};

struct Profile {
    Action default_action = Action::kErrno;
    std::optional<uint32_t> default_errno;
    std::vector<std::string> architectures;  // "SCMP_ARCH_X86_64", ...
    // Docker's archMap: a native architecture and the ones it can also run (x86_64: x86, x32).
    std::vector<std::pair<std::string, std::vector<std::string>>> arch_map;
    std::vector<std::string> flags;  // OCI: "SECCOMP_FILTER_FLAG_LOG", ...
    std::vector<Rule> rules;
};

// Parses a profile. `text` is Docker's format, an OCI linux.seccomp object, or a whole OCI
// config.json (its linux.seccomp is used). `source` names it in messages. Throws Error (exit
// 125) naming the offending entry: `seccomp profile p.json: syscalls[3] ("mount"): unknown
// action "SCMP_ACT_NOPE"`.
Profile parse(std::string_view text, std::string_view source);

// Where the profile is resolved: the libseccomp name of the native architecture, Go's name of it
// (Docker's includes/excludes use those), and the kernel's version.
struct Platform {
    std::string scmp_arch = "SCMP_ARCH_X86_64";
    std::string go_arch = "amd64";
    std::pair<int, int> kernel{6, 1};
    // Whether the running kernel executes x32 system calls. A kernel built without the x32 ABI
    // answers every one of them ENOSYS; the filter then leaves x32 out (a third of Docker's
    // program on x86_64) and answers them ENOSYS itself, exactly as the kernel would.
    bool x32_abi = true;
};
Platform native_platform_defaults();  // the architecture vessel was built for; kernel 0.0

struct ResolvedRule {
    std::string name;  // one system call
    Action action = Action::kAllow;
    uint32_t errno_ret = 0;  // for kErrno and kTrace
    std::vector<Arg> args;
    std::string where;
};

// The entries that apply to one container, one system call per rule, in profile order.
struct Resolved {
    std::string source;  // the profile's name, for messages
    Action default_action = Action::kErrno;
    uint32_t default_errno = 1;  // EPERM
    std::vector<std::string> architectures;
    std::vector<std::string> flags;
    std::vector<ResolvedRule> rules;
    bool left_out_x32 = false;  // the kernel has no x32 ABI: its calls get ENOSYS (Platform)
};

// Applies includes/excludes against `caps` and `platform`, expands archMap for the native
// architecture, and drops rules whose action equals the default (libseccomp refuses those).
Resolved resolve(const Profile& profile, caps::Mask caps, const Platform& platform,
                 std::string_view source = "");

// Docker's default profile, built into vessel (profiles/docker-default-seccomp.json).
std::string_view docker_default_text();

}  // namespace vessel::seccomp_profile
