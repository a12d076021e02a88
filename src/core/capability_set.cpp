#include "vessel/core/capability_set.hpp"

#include <algorithm>
#include <cctype>

#include "vessel/util/error.hpp"

namespace vessel::caps {
namespace {

// The kernel's numbering (include/uapi/linux/capability.h); a name's index is its number.
constexpr std::string_view kNames[kLastKnown + 1] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

bool is_all(std::string_view name) {
    return upper(name) == "ALL" || upper(name) == "CAP_ALL";
}

}  // namespace

std::optional<int> number(std::string_view name) {
    std::string wanted = upper(name);
    if (!wanted.starts_with("CAP_")) wanted = "CAP_" + wanted;
    for (int n = 0; n <= kLastKnown; ++n)
        if (kNames[n] == wanted) return n;
    return std::nullopt;
}

std::string name(int n) {
    if (n >= 0 && n <= kLastKnown) return std::string(kNames[n]);
    return "CAP_" + std::to_string(n);
}

std::vector<std::string> names(Mask mask) {
    std::vector<std::string> out;
    for (int n = 0; n < 64; ++n)
        if (mask & (Mask{1} << n)) out.push_back(name(n));
    return out;
}

Mask docker_default() {
    Mask mask = 0;
    for (auto n :
         {"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID",
          "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"})
        mask |= Mask{1} << *number(n);
    return mask;
}

std::string normalize(std::string_view text) {
    if (is_all(text)) return "ALL";
    auto n = number(text);
    if (!n)
        throw Error(
            "unknown capability \"" + std::string(text) +
            "\": use a name such as NET_ADMIN or CAP_SYS_TIME, or ALL (see capabilities(7))");
    return name(*n);
}

Mask resolve(bool privileged, const std::vector<std::string>& add,
             const std::vector<std::string>& drop) {
    if (privileged) return kAllKnown;
    auto to_mask = [](const std::vector<std::string>& list, bool& all) {
        Mask mask = 0;
        for (auto& item : list) {
            std::string n = normalize(item);
            if (n == "ALL")
                all = true;
            else
                mask |= Mask{1} << *number(n);
        }
        return mask;
    };
    bool add_all = false, drop_all = false;
    Mask added = to_mask(add, add_all);
    Mask dropped = to_mask(drop, drop_all);
    if (add_all) return kAllKnown & ~dropped;  // Docker: ALL in --cap-add wins over --cap-drop ALL
    if (drop_all) return added;
    return (docker_default() & ~dropped) | added;
}

}  // namespace vessel::caps
