#include "vessel/core/resources.hpp"

#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "vessel/util/error.hpp"

namespace vessel::resources {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// A whole decimal integer (optionally negative), or nullopt.
std::optional<int64_t> parse_int(std::string_view text) {
    text = trim(text);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

// A plain decimal number ("1", "0.5", ".5"; no exponent, no sign), or nullopt.
std::optional<double> parse_decimal(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.size() > 32) return std::nullopt;
    bool digits = false, dot = false;
    for (char c : text) {
        if (std::isdigit(static_cast<unsigned char>(c)))
            digits = true;
        else if (c == '.' && !dot)
            dot = true;
        else
            return std::nullopt;
    }
    if (!digits) return std::nullopt;
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::string show_size(int64_t bytes) {
    return format_bytes(static_cast<double>(bytes));
}

}  // namespace

int64_t parse_bytes(std::string_view text, std::string_view flag) {
    const std::string shown(text);
    std::string_view s = trim(text);
    if (s.starts_with('-'))
        throw Error(fmt::format("invalid {} \"{}\": a size cannot be negative", flag, shown));
    // Split "1.5 GiB" into the number and the unit.
    size_t split = 0;
    while (split < s.size() &&
           (std::isdigit(static_cast<unsigned char>(s[split])) || s[split] == '.'))
        ++split;
    auto number = parse_decimal(s.substr(0, split));
    std::string unit = lower(trim(s.substr(split)));
    // docker's units: an optional k/m/g/t/p, an optional "i", an optional "b".
    static constexpr std::pair<const char*, int> kUnits[] = {{"", 0},  {"k", 1}, {"m", 2},
                                                             {"g", 3}, {"t", 4}, {"p", 5}};
    int power = -1;
    for (auto [name, p] : kUnits) {
        std::string base = name;
        for (const std::string& form : {base, base + "b", base + "ib"}) {
            if (unit == form && !(base.empty() && form == "ib")) power = p;
        }
    }
    if (!number || power < 0)
        throw Error(fmt::format(
            "invalid {} \"{}\": use a size like 512m or 2g (a number of bytes, or with a unit: "
            "k, m, g, t)",
            flag, shown));
    const double bytes = *number * std::pow(1024.0, power);
    if (bytes >= 9.2e18)
        throw Error(fmt::format("invalid {} \"{}\": that is more bytes than exist", flag, shown));
    return static_cast<int64_t>(bytes);
}

std::vector<int> parse_cpu_list(std::string_view text, std::string_view flag) {
    const std::string shown(text);
    auto bad = [&]() {
        return Error(fmt::format(
            "invalid {} \"{}\": use CPU numbers and ranges like 0, 0-3 or 0,2-3", flag, shown));
    };
    std::set<int> cpus;
    std::string_view rest = trim(text);
    if (rest.empty()) throw bad();
    while (!rest.empty()) {
        size_t comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        if (comma != std::string_view::npos && rest.empty()) throw bad();
        size_t dash = item.find('-');
        auto first = parse_int(item.substr(0, dash));
        auto last = dash == std::string_view::npos ? first : parse_int(item.substr(dash + 1));
        if (!first || !last || *first < 0 || *last < *first || *last > 4095) throw bad();
        for (int64_t cpu = *first; cpu <= *last; ++cpu) cpus.insert(static_cast<int>(cpu));
    }
    return {cpus.begin(), cpus.end()};
}

std::string canonical_cpu_list(const std::vector<int>& cpus) {
    std::string out;
    for (size_t i = 0; i < cpus.size();) {
        size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += j == i ? fmt::format("{}", cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]);
        i = j + 1;
    }
    return out;
}

Resources apply_flags(const Flags& f, Resources r, int machine_cpus) {
    const std::optional<int64_t> old_memory = r.memory;
    const std::optional<int64_t> old_swap = r.memory_swap;
    if (f.memory) {
        int64_t bytes = parse_bytes(*f.memory, "--memory");
        r.memory = bytes == 0 ? std::nullopt : std::optional(bytes);  // 0: no limit, as docker
    }
    if (f.memory_swap) {
        auto minus_one = parse_int(*f.memory_swap);
        if (minus_one && *minus_one == -1) {
            r.memory_swap = -1;
        } else {
            int64_t bytes = parse_bytes(*f.memory_swap, "--memory-swap");
            r.memory_swap = bytes == 0 ? std::nullopt : std::optional(bytes);
        }
    } else if (f.memory) {
        // docker's default: as much swap as memory, so memory+swap is twice --memory. On
        // `update`, a swap limit that was that default follows the new memory limit.
        const bool was_default = !old_swap || (old_memory && *old_swap == 2 * *old_memory);
        if (!r.memory)
            r.memory_swap.reset();
        else if (was_default)
            r.memory_swap = 2 * *r.memory;
        else if (*old_swap != -1 && *old_swap < *r.memory)
            throw Error(fmt::format(
                "--memory {} is above the container's --memory-swap {}: give a new --memory-swap "
                "too (memory plus swap, or -1 for unlimited swap)",
                show_size(*r.memory), show_size(*old_swap)));
    }
    if (f.cpus) {
        auto cpus = parse_decimal(*f.cpus);
        if (!cpus)
            throw Error(
                fmt::format("invalid --cpus \"{}\": use a number of CPUs like 0.5 or 2", *f.cpus));
        r.cpus = *cpus == 0 ? std::nullopt : std::optional(*cpus);
    }
    if (f.cpu_shares) {
        auto shares = parse_int(*f.cpu_shares);
        if (!shares || *shares < 0)
            throw Error(fmt::format(
                "invalid --cpu-shares \"{}\": use a whole number from {} to {} (1024 is the "
                "default)",
                *f.cpu_shares, kMinCpuShares, kMaxCpuShares));
        r.cpu_shares = *shares == 0 ? std::nullopt : std::optional(static_cast<uint64_t>(*shares));
    }
    if (f.cpuset_cpus) {
        r.cpuset_cpus = canonical_cpu_list(parse_cpu_list(*f.cpuset_cpus, "--cpuset-cpus"));
    }
    if (f.pids_limit) {
        auto limit = parse_int(*f.pids_limit);
        if (!limit)
            throw Error(fmt::format(
                "invalid --pids-limit \"{}\": use a whole number (0 or -1 for no limit)",
                *f.pids_limit));
        if (*limit < -1)
            throw Error(fmt::format(
                "invalid --pids-limit \"{}\": use a positive number, or 0 or -1 for no limit",
                *f.pids_limit));
        r.pids_limit = *limit <= 0 ? -1 : *limit;
    }
    validate(r, machine_cpus);
    return r;
}

void validate(const Resources& r, int machine_cpus) {
    if (r.memory && *r.memory < kMinMemory)
        throw Error(fmt::format(
            "--memory {} is too small: the minimum is {} (a container needs that much to start)",
            show_size(*r.memory), show_size(kMinMemory)));
    if (r.memory_swap && *r.memory_swap != -1) {
        if (!r.memory)
            throw Error("--memory-swap needs --memory: it limits memory plus swap together");
        if (*r.memory_swap < *r.memory)
            throw Error(fmt::format(
                "--memory-swap {} is below --memory {}: it is memory plus swap, so use at least "
                "the --memory value (or -1 for unlimited swap)",
                show_size(*r.memory_swap), show_size(*r.memory)));
    }
    if (r.cpus) {
        if (!std::isfinite(*r.cpus) || *r.cpus < 0.01 || *r.cpus > machine_cpus)
            throw Error(fmt::format(
                "--cpus {} is out of range: this machine has {} CPU{}, so use 0.01 to {}", *r.cpus,
                machine_cpus, machine_cpus == 1 ? "" : "s", machine_cpus));
    }
    if (r.cpu_shares && (*r.cpu_shares < kMinCpuShares || *r.cpu_shares > kMaxCpuShares))
        throw Error(
            fmt::format("--cpu-shares {} is out of range: use {} to {} (1024 is the default)",
                        *r.cpu_shares, kMinCpuShares, kMaxCpuShares));
    if (r.cpuset_cpus) {
        auto cpus = parse_cpu_list(*r.cpuset_cpus, "--cpuset-cpus");
        if (cpus.back() >= machine_cpus)
            throw Error(
                fmt::format("--cpuset-cpus {}: this machine has no CPU {} (its CPUs are 0-{})",
                            *r.cpuset_cpus, cpus.back(), machine_cpus - 1));
    }
}

int online_cpus() {
    long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<int>(n) : 1;
}

int64_t cpu_quota_us(double cpus) {
    auto quota = static_cast<int64_t>(std::llround(cpus * static_cast<double>(kCpuPeriodUs)));
    return quota < kMinCpuQuotaUs ? kMinCpuQuotaUs : quota;
}

uint64_t shares_to_weight(uint64_t shares) {
    // runc's ConvertCPUSharesToCgroupV2Value: [2, 262144] -> [1, 10000], linearly.
    if (shares == 0) return 0;
    if (shares < kMinCpuShares) shares = kMinCpuShares;
    if (shares > kMaxCpuShares) shares = kMaxCpuShares;
    return 1 + ((shares - 2) * 9999) / 262142;
}

std::string swap_max_v2(int64_t memory, int64_t memory_swap) {
    if (memory_swap == -1) return "max";
    return fmt::format("{}", memory_swap > memory ? memory_swap - memory : 0);
}

std::string format_bytes(double bytes) {
    // docker's units.BytesSize: four significant digits, binary units.
    static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    size_t unit = 0;
    while (bytes >= 1024.0 && unit + 1 < std::size(kUnits)) {
        bytes /= 1024.0;
        ++unit;
    }
    return fmt::format("{:.4g}{}", bytes, kUnits[unit]);
}

}  // namespace vessel::resources
