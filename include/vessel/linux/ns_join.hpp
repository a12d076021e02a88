// Joining the namespaces of a running container, which is how `vessel exec` gets a process
// into it (docs/lifecycle.md). Where `run` calls clone3(CLONE_NEW*) to make namespaces, exec calls
// setns(2) to enter existing ones:
//
//   setns(pidfd, CLONE_NEWNS|CLONE_NEWUTS|...)   Linux >= 5.8: every namespace in one call, and
//                                                all or nothing; the pidfd pins the process
//   setns(open("/proc/PID/ns/mnt"), CLONE_NEWNS)  older kernels: one namespace per call
//
// Two namespaces only take effect in a child: the pid namespace (setns sets the namespace of
// the caller's *next* children, which is why exec forks afterwards) and, by rule, the cgroup
// namespace, which must be joined once the process sits in the container's cgroup.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vessel/util/unique_fd.hpp"

namespace vessel::ns_join {

// Namespace names as in /proc/PID/ns, with their CLONE_NEW* flag, in the order they are joined
// one by one on old kernels: the user namespace first (it grants the rights to join the others).
struct Kind {
    const char* name;
    int flag;
};
const std::vector<Kind>& kinds();

// The inode of each /proc/PID/ns/NAME: the namespace ids that `lsns` and `vessel inspect` show.
// Empty when the process is gone.
std::map<std::string, uint64_t> ids_of(pid_t pid);

// The namespaces `pid` is in that this process is not in, as CLONE_NEW* flags. Joining one we
// are already in is pointless (--network host) and, for the user namespace, an error.
int differing(pid_t pid);

// The namespaces of one process, ready to join. open() happens before any setns: once in the
// container's mount namespace, /proc/PID would name a different process, or none.
class Target {
  public:
    // `pidfd` names the process (borrowed: it must outlive this object). For kernels without
    // pidfd setns, /proc/PID/ns/NAME is opened for each namespace in `flags` as well. Setting
    // VESSEL_SETNS_FALLBACK=1 forces that path, so tests cover it on new kernels too.
    static Target open(int pidfd, pid_t pid, int flags);

    // setns into the namespaces in `flags` (a subset of those given to open). Throws SysError.
    void join(int flags) const;

  private:
    int pidfd_ = -1;
    bool force_fallback_ = false;
    std::map<int, UniqueFd> ns_fds_;  // flag -> /proc/PID/ns/NAME
};

// "CLONE_NEWNS|CLONE_NEWPID" for the trace.
std::string describe(int flags);

}  // namespace vessel::ns_join
