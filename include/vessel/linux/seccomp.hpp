// Seccomp (docs/seccomp.md): a BPF program the kernel runs on every system call the container
// makes, answering allow, EPERM, ENOSYS or kill. vessel builds the program with libseccomp from
// a resolved profile (src/core/seccomp_profile.cpp) in the parent, before anything is created,
// and the child hands the finished instructions to seccomp(2) as its very last step before
// execve. The program is plain bytes, so it can be cached or built ahead of time (it depends only
// on the profile, the capabilities and the architecture).
#pragma once

#include <linux/filter.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vessel/core/seccomp_profile.hpp"

namespace vessel::seccomp {

struct Program {
    std::vector<sock_filter> code;     // classic BPF, as seccomp(SECCOMP_SET_MODE_FILTER) takes it
    unsigned flags = 0;                // SECCOMP_FILTER_FLAG_*
    size_t rules = 0;                  // system calls with a rule of their own (for the trace)
    std::vector<std::string> skipped;  // names libseccomp does not know yet (newer than it)
};

// Compiles with libseccomp. Throws Error (exit 125) naming the profile entry when a system call
// name is unknown or libseccomp refuses a rule.
Program compile(const seccomp_profile::Resolved& profile);

// Bump whenever compile() would turn the same resolved profile into another program: compiled
// programs are cached under a key that includes it (src/launch/seccomp_cache.cpp).
inline constexpr int kCompileRevision = 3;

// Child side, last before execve: installs the filter. Needs no_new_privs or CAP_SYS_ADMIN.
void load(const Program& program);

// A compiled program as bytes, and back (nullopt for anything that is not one). `vessel run`
// keeps its container's program in the state directory, so that `vessel exec` loads the very
// same filter without compiling the profile again, as crun does (docs/lifecycle.md). The
// program is only used while the container runs: same boot, same kernel, same architecture.
std::string serialize(const Program& program);
std::optional<Program> deserialize(std::string_view bytes);

// The running kernel's version, for minKernel in Docker's profiles.
std::pair<int, int> kernel_version();

// Whether the running kernel executes x32 system calls (seccomp_profile::Platform::x32_abi).
bool kernel_has_x32_abi();

}  // namespace vessel::seccomp
