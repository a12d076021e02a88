// The explain trace: `vessel run --explain` prints one line per kernel step, in the order the
// steps happen, with the call, its real arguments and its result, and the docs/ chapter that
// teaches it. Parent and child both write to the same descriptor with one write(2) per line, so
// their lines never tear even though two processes are talking.
//
//     18.131ms child   pivot_root(".", ".") = 0            # the overlay becomes /
//     (docs/filesystem.md)
#pragma once

#include <cerrno>
#include <string>
#include <string_view>

#include "vessel/util/error.hpp"

namespace vessel::explain {

// Each kernel concept has one chapter under docs/; the trace points the reader there.
enum class Chapter {
    kNamespaces,  // docs/namespaces.md
    kHandshake,   // docs/handshake.md
    kFilesystem,  // docs/filesystem.md
    kDevProc,     // docs/dev-and-proc.md
    kCgroups,     // docs/cgroups.md
    kCapabilities,
    kSeccomp,
    kSecurity,  // docs/security.md: no_new_privs, rlimits, fds, dumpable
    kUsers,     // docs/users.md
    kTerminal,  // docs/terminal.md
    kNetwork,   // docs/network.md
    kProcess,   // docs/process.md: execve, exit codes, signals, init
    kState,     // docs/state.md

    kMaskedPaths,     // docs/masked-paths-and-devices.md: masked paths, the device cgroup
    kUserNamespaces,  // docs/user-namespaces.md: --userns=remap
    kLifecycle,       // docs/lifecycle.md: the monitor, exec's setns, stop/kill/rm
    kMounts,          // docs/mounts.md: -v, --mount, --tmpfs, volumes
};

std::string_view chapter_path(Chapter chapter);

// Starts the trace on a duplicate of `fd` (so the child can keep writing to it after its own
// stderr has become the container's). Records the time origin for the "+0.123ms" column.
void enable(int fd);
bool enabled();

// From now on the trace writes the container id as $ID, after printing ID=<id> once.
void abbreviate_id(const std::string& id);

// Who is speaking: "parent", "child", "init", "monitor". Set right after clone/fork.
void set_role(std::string_view role);

// The descriptor the trace writes to, or -1. The child closes it (CLOEXEC) at execve.
int fd();

// Stops the trace and closes its descriptor: the monitor of `run -d` does this once the
// container runs, so it never writes to a terminal that `vessel run -d` has handed back.
void disable();

// One kernel step. `call` is the call with its arguments as a C programmer would write it;
// `result` is what it returned ("0", "4242", "-1 EINVAL"); `why` is a few words for the reader.
void step(Chapter chapter, std::string_view call, std::string_view result, std::string_view why);

// A step that returned `rc` and set errno on failure: formats "= rc" or "= -1 ENAME (text)".
void syscall(Chapter chapter, std::string_view call, long rc, int err, std::string_view why);

// The one shape of a traced kernel call: `rc` is what the call returned (-1 with errno set when
// it failed). Traces it, formatting `describe()` (the call with its arguments) only when the
// trace is on, and throws SysError(failed, errno, hint) when rc is -1. Returns rc.
//
//     explain::checked(::sethostname(name.data(), name.size()), Chapter::kNamespaces,
//                      [&] { return fmt::format("sethostname({})", quote(name)); },
//                      "only our UTS namespace sees it", "sethostname");
template <typename Describe>
long checked(long rc, Chapter chapter, Describe&& describe, std::string_view why,
             std::string_view failed, std::string_view hint = {}) {
    const int err = rc == -1 ? errno : 0;
    if (enabled()) syscall(chapter, describe(), rc, err, why);
    if (rc == -1) throw SysError(std::string(failed), err, std::string(hint));
    return rc;
}

// syscall() for callers that build their own error: `describe()` is formatted only when the
// trace is on.
template <typename Describe>
void traced(long rc, int err, Chapter chapter, Describe&& describe, std::string_view why) {
    if (enabled()) syscall(chapter, describe(), rc, err, why);
}

// A heading between phases ("the child, inside the new namespaces").
void section(std::string_view title);

// Quote a string the way strace does: "abc", with escapes.
std::string quote(std::string_view s);

// The symbolic name of an errno value: ENOENT, EPERM...
std::string_view errno_name(int err);

}  // namespace vessel::explain
