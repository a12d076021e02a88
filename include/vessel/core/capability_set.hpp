// Capabilities as names and bit masks (docs/capabilities.md), kernel-free: what `--cap-add`,
// `--cap-drop` and `--privileged` make of Docker's default set. src/linux/capabilities.cpp turns
// the result into the kernel's five sets with libcap; the seccomp resolver reads it too, because
// Docker's profile opens some system calls only to containers that hold a capability.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vessel::caps {

// A set of capabilities, bit N = capability number N (CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE =
// 40).
using Mask = uint64_t;

inline constexpr int kLastKnown = 40;  // CAP_CHECKPOINT_RESTORE, Linux 5.9
inline constexpr Mask kAllKnown = (Mask{1} << (kLastKnown + 1)) - 1;

// "CAP_SYS_ADMIN", "sys_admin", "SYS_ADMIN" -> 21. std::nullopt for names that are no capability.
std::optional<int> number(std::string_view name);
// 21 -> "CAP_SYS_ADMIN" ("CAP_41" for numbers past kLastKnown).
std::string name(int number);
// The names of a mask, in number order.
std::vector<std::string> names(Mask mask);

// Docker's 14: CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP,
// SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE. As /proc/PID/status shows it:
// CapEff 00000000a80425fb.
Mask docker_default();

// Docker's rules for the container's bounding set: --privileged gives every capability;
// otherwise, --cap-add ALL starts from all (minus --cap-drop), --cap-drop ALL starts from none
// (plus --cap-add), and else the default minus --cap-drop plus --cap-add. Names as number()
// takes them, or "ALL". Throws Error (exit 125) naming an unknown capability.
Mask resolve(bool privileged, const std::vector<std::string>& add,
             const std::vector<std::string>& drop);

// "CAP_SYS_ADMIN" for any spelling number() accepts, or "ALL"; throws Error for unknown names.
std::string normalize(std::string_view name);

}  // namespace vessel::caps
