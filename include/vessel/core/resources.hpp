// Resource limits as a user types them (`-m 512m --cpus 1.5 --cpuset-cpus 0-1`), checked and
// turned into numbers, and the arithmetic that maps them onto cgroup files (docs/cgroups.md).
// Kernel-free: the backends in linux/cgroup_v1.cpp and linux/cgroup_v2.cpp do the writing, and
// everything here is unit-tested without root.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vessel/core/spec.hpp"

namespace vessel::resources {

// What the resource flags of `run` and `update` hold before they are parsed: unset flags stay
// std::nullopt, so `update` can tell "not given" from "given".
struct Flags {
    std::optional<std::string> memory;       // -m, --memory
    std::optional<std::string> memory_swap;  // --memory-swap
    std::optional<std::string> cpus;         // --cpus
    std::optional<std::string> cpu_shares;   // --cpu-shares
    std::optional<std::string> cpuset_cpus;  // --cpuset-cpus
    std::optional<std::string> pids_limit;   // --pids-limit

    bool any() const {
        return memory || memory_swap || cpus || cpu_shares || cpuset_cpus || pids_limit;
    }
};

// docker's floor for --memory: below it a container cannot even start a shell reliably, and
// docker refuses it with "Minimum memory limit allowed is 6MB".
inline constexpr int64_t kMinMemory = 6 * 1024 * 1024;
// The CFS period docker and runc use: --cpus 0.5 becomes 50000us of CPU time every 100000us.
inline constexpr int64_t kCpuPeriodUs = 100'000;
// The kernel refuses a CFS quota below 1 ms; --cpus 0.01 is exactly that.
inline constexpr int64_t kMinCpuQuotaUs = 1'000;
// cpu.shares bounds (cgroup v1), as docker documents them; 1024 is every cgroup's default.
inline constexpr uint64_t kMinCpuShares = 2;
inline constexpr uint64_t kMaxCpuShares = 262'144;

// A size the way docker reads it: "1048576", "512k", "32m", "1.5g", "2GiB", "64 MB". Units are
// binary (k = 1024) and case-insensitive. Throws Error naming `flag` on anything else,
// negative sizes included.
int64_t parse_bytes(std::string_view text, std::string_view flag);

// The CPUs listed in a cpuset string, "0-2,5" -> {0, 1, 2, 5}. Throws Error naming `flag`.
std::vector<int> parse_cpu_list(std::string_view text, std::string_view flag);

// Applies the flags that were given to `base` (a fresh Resources for `run`, the container's
// current limits for `update`), and validates the result against a machine with
// `machine_cpus` CPUs. Throws Error (exit 125) with one clear line on bad input.
Resources apply_flags(const Flags& flags, Resources base, int machine_cpus);

// Checks a complete Resources (also one read back from state.json). Throws Error.
void validate(const Resources& r, int machine_cpus);

// The number of CPUs this machine has online, which --cpus and --cpuset-cpus may not exceed.
int online_cpus();

// --cpus 1.5 -> a quota of 150000us per 100000us period.
int64_t cpu_quota_us(double cpus);

// cgroup v1's cpu.shares (2..262144, default 1024) mapped linearly onto cgroup v2's cpu.weight
// (1..10000, default 100), as runc does: 2 -> 1, 262144 -> 10000, 1024 -> 39.
uint64_t shares_to_weight(uint64_t shares);

// cgroup v2 limits swap on its own (memory.swap.max), v1 limits memory+swap together
// (memory.memsw.limit_in_bytes, docker's --memory-swap): the swap part is their difference.
// Returns "max" for unlimited swap.
std::string swap_max_v2(int64_t memory, int64_t memory_swap);

// A byte count the way `docker stats` prints it: "1.953MiB", "32MiB", "0B".
std::string format_bytes(double bytes);

// A cpuset "0-1" checked against nothing but its syntax, printed back in canonical form.
std::string canonical_cpu_list(const std::vector<int>& cpus);

}  // namespace vessel::resources
