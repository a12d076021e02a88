#include "vessel/core/security.hpp"

#include <charconv>

#include "vessel/util/error.hpp"

namespace vessel {
namespace {

// Linux's RLIMIT_* numbers (asm-generic/resource.h, the same on every architecture vessel
// builds for), under docker's names.
constexpr std::pair<std::string_view, int> kRlimits[] = {
    {"cpu", 0},       {"fsize", 1}, {"data", 2},    {"stack", 3},
    {"core", 4},      {"rss", 5},   {"nproc", 6},   {"nofile", 7},
    {"memlock", 8},   {"as", 9},    {"locks", 10},  {"sigpending", 11},
    {"msgqueue", 12}, {"nice", 13}, {"rtprio", 14}, {"rttime", 15},
};

std::optional<uint64_t> parse_u64(std::string_view text) {
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

uint64_t parse_limit_value(std::string_view text, std::string_view whole) {
    if (text == "-1" || text == "unlimited") return Ulimit::kUnlimited;
    auto v = parse_u64(text);
    if (!v)
        throw Error("invalid --ulimit \"" + std::string(whole) + "\": \"" + std::string(text) +
                    "\" is not a number (use NAME=SOFT[:HARD], -1 or unlimited for no limit)");
    return *v;
}

bool parse_bool(std::string_view text, bool& out) {
    if (text == "true" || text == "1") return out = true, true;
    if (text == "false" || text == "0") return out = false, true;
    return false;
}

}  // namespace

const std::vector<std::string>& default_masked_paths() {
    static const std::vector<std::string> paths = {
        "/proc/acpi",        "/proc/asound",  "/proc/interrupts",
        "/proc/kcore",       "/proc/keys",    "/proc/latency_stats",
        "/proc/sched_debug", "/proc/scsi",    "/proc/timer_list",
        "/proc/timer_stats", "/sys/firmware", "/sys/devices/virtual/powercap",
    };
    return paths;
}

const std::vector<std::string>& default_readonly_paths() {
    static const std::vector<std::string> paths = {"/proc/bus", "/proc/fs", "/proc/irq",
                                                   "/proc/sys", "/proc/sysrq-trigger"};
    return paths;
}

std::string DeviceRule::to_string() const {
    if (type == 'a') return "a *:* rwm";
    auto num = [](int64_t n) { return n < 0 ? std::string("*") : std::to_string(n); };
    return std::string(1, type) + " " + num(major) + ":" + num(minor) + " " + access;
}

std::vector<DeviceRule> device_rules(const Security& security,
                                     const std::vector<DeviceRule>& extra) {
    if (security.privileged) return {{'a', -1, -1, "rwm", true}};
    std::vector<DeviceRule> rules = {
        {'a', -1, -1, "rwm", false},  // deny everything first
        {'c', -1, -1, "m", true},     // mknod of any node: it is opening one that matters
        {'b', -1, -1, "m", true},    {'c', 1, 3, "rwm", true},  // null
        {'c', 1, 5, "rwm", true},                               // zero
        {'c', 1, 7, "rwm", true},                               // full
        {'c', 1, 8, "rwm", true},                               // random
        {'c', 1, 9, "rwm", true},                               // urandom
        {'c', 5, 0, "rwm", true},                               // tty
        {'c', 5, 1, "rwm", true},                               // console
        {'c', 5, 2, "rwm", true},                               // ptmx
        {'c', 136, -1, "rwm", true},                            // the pty slaves, /dev/pts/N
        {'c', 10, 200, "rwm", true},                            // tun
    };
    rules.insert(rules.end(), extra.begin(), extra.end());
    return rules;
}

std::optional<int> rlimit_resource(std::string_view name) {
    for (auto [n, resource] : kRlimits)
        if (n == name) return resource;
    return std::nullopt;
}

Ulimit parse_ulimit(std::string_view text) {
    auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0)
        throw Error("invalid --ulimit \"" + std::string(text) +
                    "\": use NAME=SOFT[:HARD], e.g. nofile=1024:4096");
    Ulimit u;
    u.name = std::string(text.substr(0, eq));
    if (u.name.starts_with("RLIMIT_")) u.name = u.name.substr(7);
    for (char& c : u.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!rlimit_resource(u.name))
        throw Error("invalid --ulimit \"" + std::string(text) + "\": unknown limit \"" +
                    std::string(text.substr(0, eq)) +
                    "\" (one of core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, "
                    "nproc, rss, rtprio, rttime, sigpending, stack, as)");
    std::string_view values = text.substr(eq + 1);
    auto colon = values.find(':');
    u.soft = parse_limit_value(values.substr(0, colon), text);
    u.hard = colon == std::string_view::npos ? u.soft
                                             : parse_limit_value(values.substr(colon + 1), text);
    if (u.soft > u.hard)
        throw Error("invalid --ulimit \"" + std::string(text) +
                    "\": the soft limit is above the hard limit");
    return u;
}

DeviceRequest parse_device(std::string_view text) {
    DeviceRequest d;
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        size_t pos = text.find(':', start);
        parts.emplace_back(text.substr(start, pos - start));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    auto is_access = [](const std::string& s) {
        return !s.empty() && s.size() <= 3 && s.find_first_not_of("rwm") == std::string::npos;
    };
    if (parts.size() > 3 || parts[0].empty())
        throw Error("invalid --device \"" + std::string(text) +
                    "\": use HOST[:CONTAINER][:PERMISSIONS]");
    d.host = parts[0];
    d.container = parts[0];
    if (parts.size() == 2) {
        if (is_access(parts[1]))
            d.access = parts[1];
        else
            d.container = parts[1];
    } else if (parts.size() == 3) {
        d.container = parts[1];
        if (!is_access(parts[2]))
            throw Error("invalid --device \"" + std::string(text) + "\": permissions \"" +
                        parts[2] + "\" must be a combination of r, w and m");
        d.access = parts[2];
    }
    if (d.host[0] != '/' || d.container.empty() || d.container[0] != '/')
        throw Error("invalid --device \"" + std::string(text) + "\": paths must be absolute");
    if (d.container.find("/../") != std::string::npos || d.container.ends_with("/..") ||
        !d.container.starts_with("/dev/"))
        throw Error("invalid --device \"" + std::string(text) +
                    "\": the container path must be under /dev");
    return d;
}

UsernsRemap parse_userns(std::string_view text) {
    UsernsRemap r;
    if (text == "remap") return r;
    if (!text.starts_with("remap:"))
        throw Error("invalid --userns \"" + std::string(text) +
                    "\": use remap, remap:FIRST_HOST_ID or remap:FIRST_HOST_ID:COUNT");
    std::string_view rest = text.substr(6);
    auto colon = rest.find(':');
    auto first = parse_u64(rest.substr(0, colon));
    auto count = colon == std::string_view::npos ? std::optional<uint64_t>(r.count)
                                                 : parse_u64(rest.substr(colon + 1));
    if (!first || !count || *count == 0 || *first == 0 || *first + *count > 0xffffffffULL)
        throw Error("invalid --userns \"" + std::string(text) +
                    "\": FIRST_HOST_ID must be above 0 and FIRST_HOST_ID+COUNT fit in 32 bits");
    r.first = static_cast<uint32_t>(*first);
    r.count = static_cast<uint32_t>(*count);
    return r;
}

void apply_security_opt(Security& s, std::string_view opt,
                        const std::function<std::string(const std::string&)>& read_file) {
    // docker accepts "key=value" and the older "key:value".
    auto sep = opt.find_first_of("=:");
    std::string_view key = opt.substr(0, sep);
    std::string_view value = sep == std::string_view::npos ? "" : opt.substr(sep + 1);
    if (key == "no-new-privileges") {
        if (sep == std::string_view::npos) {
            s.no_new_privileges = true;
            return;
        }
        if (!parse_bool(value, s.no_new_privileges))
            throw Error("invalid --security-opt \"" + std::string(opt) +
                        "\": use no-new-privileges=true or =false");
        return;
    }
    if (key == "seccomp") {
        if (value.empty())
            throw Error("invalid --security-opt \"" + std::string(opt) +
                        "\": use seccomp=unconfined or seccomp=PROFILE.json");
        if (value == "unconfined") {
            s.seccomp = "unconfined";
            s.seccomp_profile.clear();
            return;
        }
        s.seccomp = std::string(value);
        s.seccomp_profile = read_file(s.seccomp);
        return;
    }
    if (key == "apparmor" || key == "label" || key == "systempaths")
        throw Error("--security-opt " + std::string(key) + " is not supported by vessel");
    throw Error(
        "unknown --security-opt \"" + std::string(opt) +
        "\": vessel knows seccomp=unconfined|PROFILE.json and no-new-privileges[=true|false]");
}

void finalize(Security& s) {
    for (auto& c : s.cap_add) c = caps::normalize(c);
    for (auto& c : s.cap_drop) c = caps::normalize(c);
    s.capabilities = caps::resolve(s.privileged, s.cap_add, s.cap_drop);
    if (s.privileged && s.seccomp == "default") s.seccomp = "unconfined";  // as docker does
    bool has_nofile = false;
    for (auto& u : s.ulimits) has_nofile = has_nofile || u.name == "nofile";
    if (!has_nofile) s.ulimits.insert(s.ulimits.begin(), kDefaultNofile);
}

void to_json(nlohmann::json& j, const Security& s) {
    nlohmann::json ulimits = nlohmann::json::array();
    for (auto& u : s.ulimits) {
        auto value = [](uint64_t v) {
            return v == Ulimit::kUnlimited ? nlohmann::json(-1) : nlohmann::json(v);
        };
        ulimits.push_back({{"name", u.name}, {"soft", value(u.soft)}, {"hard", value(u.hard)}});
    }
    nlohmann::json devices = nlohmann::json::array();
    for (auto& d : s.devices)
        devices.push_back({{"host", d.host}, {"container", d.container}, {"access", d.access}});
    j = {{"privileged", s.privileged},
         {"cap_add", s.cap_add},
         {"cap_drop", s.cap_drop},
         {"capabilities", caps::names(s.capabilities)},
         {"seccomp", s.seccomp},
         {"no_new_privileges", s.no_new_privileges},
         {"ulimits", ulimits},
         {"devices", devices},
         {"userns", s.userns ? nlohmann::json{{"mode", "remap"},
                                              {"first", s.userns->first},
                                              {"count", s.userns->count}}
                             : nlohmann::json(nullptr)}};
    if (!s.seccomp_profile.empty()) j["seccomp_profile"] = s.seccomp_profile;
}

void from_json(const nlohmann::json& j, Security& s) {
    s.privileged = j.value("privileged", false);
    s.cap_add = j.value("cap_add", std::vector<std::string>{});
    s.cap_drop = j.value("cap_drop", std::vector<std::string>{});
    if (j.contains("capabilities")) {
        s.capabilities = 0;
        for (auto& name : j.at("capabilities")) {
            auto n = caps::number(name.get<std::string>());
            if (!n) throw Error("state.json: unknown capability " + name.get<std::string>());
            s.capabilities |= caps::Mask{1} << *n;
        }
    }
    s.seccomp = j.value("seccomp", "default");
    s.seccomp_profile = j.value("seccomp_profile", "");
    s.no_new_privileges = j.value("no_new_privileges", true);
    s.ulimits.clear();
    for (auto& u : j.value("ulimits", nlohmann::json::array())) {
        auto value = [](const nlohmann::json& v) {
            return v.is_number_integer() && v.get<int64_t>() < 0 ? Ulimit::kUnlimited
                                                                 : v.get<uint64_t>();
        };
        s.ulimits.push_back(
            {u.at("name").get<std::string>(), value(u.at("soft")), value(u.at("hard"))});
    }
    s.devices.clear();
    for (auto& d : j.value("devices", nlohmann::json::array()))
        s.devices.push_back({d.at("host").get<std::string>(), d.at("container").get<std::string>(),
                             d.value("access", "rwm")});
    s.userns.reset();
    if (auto it = j.find("userns"); it != j.end() && it->is_object())
        s.userns = UsernsRemap{it->value("first", 100000u), it->value("count", 65536u)};
}

}  // namespace vessel
