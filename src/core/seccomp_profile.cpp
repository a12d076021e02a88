#include "vessel/core/seccomp_profile.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "vessel/util/error.hpp"

namespace vessel::seccomp_profile {
namespace {

using nlohmann::json;

constexpr std::pair<std::string_view, Action> kActions[] = {
    {"SCMP_ACT_KILL_PROCESS", Action::kKillProcess},
    {"SCMP_ACT_KILL_THREAD", Action::kKillThread},
    {"SCMP_ACT_KILL", Action::kKillThread},  // libseccomp's old name for KILL_THREAD
    {"SCMP_ACT_TRAP", Action::kTrap},
    {"SCMP_ACT_ERRNO", Action::kErrno},
    {"SCMP_ACT_TRACE", Action::kTrace},
    {"SCMP_ACT_LOG", Action::kLog},
    {"SCMP_ACT_ALLOW", Action::kAllow},
};

constexpr std::pair<std::string_view, Op> kOps[] = {
    {"SCMP_CMP_NE", Op::kNe},
    {"SCMP_CMP_LT", Op::kLt},
    {"SCMP_CMP_LE", Op::kLe},
    {"SCMP_CMP_EQ", Op::kEq},
    {"SCMP_CMP_GE", Op::kGe},
    {"SCMP_CMP_GT", Op::kGt},
    {"SCMP_CMP_MASKED_EQ", Op::kMaskedEq},
};

constexpr std::string_view kScmpArches[] = {
    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
};

// Go's GOARCH names, as Docker's includes/excludes use them.
constexpr std::string_view kGoArches[] = {
    "386",     "x86",    "amd64",    "x32",       "arm",         "arm64",   "mips",
    "mipsle",  "mips64", "mips64le", "mips64n32", "mips64len32", "ppc",     "ppc64",
    "ppc64le", "s390",   "s390x",    "parisc",    "parisc64",    "riscv64", "loong64",
};

// Throws the one error every malformed profile gets: where, and what is wrong.
[[noreturn]] void fail(std::string_view source, std::string_view where, const std::string& what) {
    throw Error(
        fmt::format("seccomp profile {}: {}{}{}", source, where, where.empty() ? "" : ": ", what));
}

struct Ctx {
    std::string_view source;
    std::string where;
    [[noreturn]] void fail(const std::string& what) const {
        seccomp_profile::fail(source, where, what);
    }
};

void check_keys(const Ctx& ctx, const json& object, std::initializer_list<std::string_view> known) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (std::find(known.begin(), known.end(), it.key()) == known.end())
            ctx.fail(fmt::format("unknown key \"{}\"", it.key()));
    }
}

std::string get_string(const Ctx& ctx, const json& value, std::string_view what) {
    if (!value.is_string()) ctx.fail(fmt::format("{} must be a string", what));
    return value.get<std::string>();
}

std::vector<std::string> get_strings(const Ctx& ctx, const json& value, std::string_view what) {
    if (value.is_null()) return {};
    if (!value.is_array()) ctx.fail(fmt::format("{} must be an array of strings", what));
    std::vector<std::string> out;
    for (auto& item : value) out.push_back(get_string(ctx, item, what));
    return out;
}

uint64_t get_u64(const Ctx& ctx, const json& value, std::string_view what) {
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0))
        ctx.fail(fmt::format("{} must be a non-negative integer", what));
    return value.get<uint64_t>();
}

uint32_t get_errno(const Ctx& ctx, const json& value, std::string_view what) {
    uint64_t n = get_u64(ctx, value, what);
    if (n > 4095) ctx.fail(fmt::format("{} {} is not an errno value (0..4095)", what, n));
    return static_cast<uint32_t>(n);
}

Action get_action(const Ctx& ctx, const json& value, std::string_view what) {
    std::string name = get_string(ctx, value, what);
    for (auto [n, action] : kActions)
        if (n == name) return action;
    if (name == "SCMP_ACT_NOTIFY")
        ctx.fail("SCMP_ACT_NOTIFY needs a seccomp agent listening on a socket; vessel has none");
    ctx.fail(
        fmt::format("unknown action \"{}\" (one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, "
                    "SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL, SCMP_ACT_TRAP, "
                    "SCMP_ACT_TRACE, SCMP_ACT_LOG)",
                    name));
}

bool valid_syscall_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::pair<int, int> parse_kernel(const Ctx& ctx, const std::string& text) {
    int major = 0, minor = 0;
    const char* begin = text.data();
    const char* end = begin + text.size();
    auto [p1, e1] = std::from_chars(begin, end, major);
    if (e1 != std::errc() || p1 == end || *p1 != '.')
        ctx.fail(fmt::format("minKernel \"{}\" must look like 4.8", text));
    auto [p2, e2] = std::from_chars(p1 + 1, end, minor);
    if (e2 != std::errc() || (p2 != end && *p2 != '.'))
        ctx.fail(fmt::format("minKernel \"{}\" must look like 4.8", text));
    return {major, minor};
}

Condition parse_condition(const Ctx& ctx, const json& value) {
    Condition c;
    if (value.is_null()) return c;
    if (!value.is_object()) ctx.fail("includes/excludes must be an object");
    check_keys(ctx, value, {"caps", "arches", "minKernel"});
    if (auto it = value.find("caps"); it != value.end()) {
        for (auto& name : get_strings(ctx, *it, "caps")) {
            auto n = caps::number(name);
            if (!n) ctx.fail(fmt::format("unknown capability \"{}\"", name));
            c.caps.push_back(caps::name(*n));
        }
    }
    if (auto it = value.find("arches"); it != value.end()) {
        for (auto& arch : get_strings(ctx, *it, "arches")) {
            if (std::find(std::begin(kGoArches), std::end(kGoArches), arch) == std::end(kGoArches))
                ctx.fail(fmt::format(
                    "unknown architecture \"{}\" in arches (Go's names: amd64, arm64, ...)", arch));
            c.arches.push_back(arch);
        }
    }
    if (auto it = value.find("minKernel"); it != value.end() && !it->is_null())
        c.min_kernel = parse_kernel(ctx, get_string(ctx, *it, "minKernel"));
    return c;
}

std::string check_scmp_arch(const Ctx& ctx, const std::string& arch) {
    if (std::find(std::begin(kScmpArches), std::end(kScmpArches), arch) == std::end(kScmpArches))
        ctx.fail(fmt::format(
            "unknown architecture \"{}\" (libseccomp's names: SCMP_ARCH_X86_64, ...)", arch));
    return arch;
}

Rule parse_rule(Ctx ctx, const json& entry) {
    if (!entry.is_object()) ctx.fail("must be an object");
    check_keys(ctx, entry,
               {"name", "names", "action", "errnoRet", "args", "comment", "includes", "excludes"});
    Rule rule;
    rule.where = ctx.where;
    auto names = entry.find("names");
    auto name = entry.find("name");
    if (names != entry.end() && name != entry.end() && !names->is_null() && !name->is_null())
        ctx.fail("has both \"name\" and \"names\"; use one");
    if (names != entry.end())
        rule.names = get_strings(ctx, *names, "names");
    else if (name != entry.end())
        rule.names = {get_string(ctx, *name, "name")};
    if (rule.names.empty()) ctx.fail("names no system call");
    for (auto& n : rule.names) {
        if (!valid_syscall_name(n)) ctx.fail(fmt::format("\"{}\" is not a system call name", n));
    }
    // From here the entry is named by its first system call too.
    ctx.where += fmt::format(" (\"{}\")", rule.names.front());
    rule.where = ctx.where;
    auto action = entry.find("action");
    if (action == entry.end()) ctx.fail("has no action");
    rule.action = get_action(ctx, *action, "action");
    if (auto it = entry.find("errnoRet"); it != entry.end() && !it->is_null()) {
        if (rule.action != Action::kErrno && rule.action != Action::kTrace)
            ctx.fail("errnoRet only goes with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
        rule.errno_ret = get_errno(ctx, *it, "errnoRet");
    }
    if (auto it = entry.find("args"); it != entry.end() && !it->is_null()) {
        if (!it->is_array()) ctx.fail("args must be an array");
        size_t i = 0;
        for (auto& a : *it) {
            Ctx actx{ctx.source, fmt::format("{} args[{}]", ctx.where, i++)};
            if (!a.is_object()) actx.fail("must be an object");
            check_keys(actx, a, {"index", "value", "valueTwo", "op"});
            Arg arg;
            if (!a.contains("index") || !a.contains("op")) actx.fail("needs index and op");
            uint64_t index = get_u64(actx, a.at("index"), "index");
            if (index > 5)
                actx.fail(fmt::format("index {} is past the 6 arguments a system call has", index));
            arg.index = static_cast<unsigned>(index);
            if (a.contains("value")) arg.value = get_u64(actx, a.at("value"), "value");
            if (a.contains("valueTwo")) arg.value_two = get_u64(actx, a.at("valueTwo"), "valueTwo");
            std::string op = get_string(actx, a.at("op"), "op");
            auto found = std::find_if(std::begin(kOps), std::end(kOps),
                                      [&](auto& p) { return p.first == op; });
            if (found == std::end(kOps)) actx.fail(fmt::format("unknown op \"{}\"", op));
            arg.op = found->second;
            rule.args.push_back(arg);
        }
    }
    if (auto it = entry.find("includes"); it != entry.end())
        rule.includes = parse_condition(ctx, *it);
    if (auto it = entry.find("excludes"); it != entry.end())
        rule.excludes = parse_condition(ctx, *it);
    return rule;
}

bool has(const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

bool has_cap(caps::Mask mask, const std::string& name) {
    auto n = caps::number(name);
    return n && (mask & (caps::Mask{1} << *n));
}

// Docker's rules (moby's profiles/seccomp): an entry is skipped when an exclusion matches or an
// inclusion does not.
bool applies(const Rule& rule, caps::Mask mask, const Platform& p) {
    const Condition& ex = rule.excludes;
    if (has(ex.arches, p.go_arch)) return false;
    for (auto& c : ex.caps)
        if (has_cap(mask, c)) return false;
    if (ex.min_kernel && p.kernel >= *ex.min_kernel) return false;
    const Condition& in = rule.includes;
    if (!in.arches.empty() && !has(in.arches, p.go_arch)) return false;
    for (auto& c : in.caps)
        if (!has_cap(mask, c)) return false;
    if (in.min_kernel && p.kernel < *in.min_kernel) return false;
    return true;
}

}  // namespace

std::string_view to_string(Action action) {
    for (auto [name, a] : kActions)
        if (a == action) return name;
    return "?";
}

std::string_view to_string(Op op) {
    for (auto [name, o] : kOps)
        if (o == op) return name;
    return "?";
}

Platform native_platform_defaults() {
    Platform p;
#if defined(__x86_64__) && defined(__ILP32__)
    p.scmp_arch = "SCMP_ARCH_X32";
    p.go_arch = "x32";
#elif defined(__x86_64__)
    p.scmp_arch = "SCMP_ARCH_X86_64";
    p.go_arch = "amd64";
#elif defined(__i386__)
    p.scmp_arch = "SCMP_ARCH_X86";
    p.go_arch = "386";
#elif defined(__aarch64__)
    p.scmp_arch = "SCMP_ARCH_AARCH64";
    p.go_arch = "arm64";
#elif defined(__arm__)
    p.scmp_arch = "SCMP_ARCH_ARM";
    p.go_arch = "arm";
#elif defined(__riscv) && __riscv_xlen == 64
    p.scmp_arch = "SCMP_ARCH_RISCV64";
    p.go_arch = "riscv64";
#elif defined(__s390x__)
    p.scmp_arch = "SCMP_ARCH_S390X";
    p.go_arch = "s390x";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    p.scmp_arch = "SCMP_ARCH_PPC64LE";
    p.go_arch = "ppc64le";
#endif
    p.kernel = {0, 0};
    return p;
}

Profile parse(std::string_view text, std::string_view source) {
    json doc;
    try {
        doc = json::parse(text.begin(), text.end());
    } catch (const json::exception& e) {
        // nlohmann's text: "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
        std::string what = e.what();
        if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
        fail(source, "", "not valid JSON: " + what);
    }
    Ctx ctx{source, ""};
    // A whole OCI config.json: take its linux.seccomp.
    if (doc.is_object() && doc.contains("linux") && !doc.contains("defaultAction")) {
        const json& linux = doc.at("linux");
        if (!linux.is_object() || !linux.contains("seccomp") || !linux.at("seccomp").is_object())
            fail(source, "linux", "an OCI config without a linux.seccomp object");
        json inner = linux.at("seccomp");
        doc = std::move(inner);
        ctx.where = "";
    }
    if (!doc.is_object()) ctx.fail("must be a JSON object with defaultAction and syscalls");
    check_keys(ctx, doc,
               {"defaultAction", "defaultErrnoRet", "architectures", "archMap", "syscalls", "flags",
                "listenerPath", "listenerMetadata", "comment"});
    Profile p;
    if (!doc.contains("defaultAction")) ctx.fail("has no defaultAction");
    p.default_action =
        get_action(Ctx{source, "defaultAction"}, doc.at("defaultAction"), "defaultAction");
    if (auto it = doc.find("defaultErrnoRet"); it != doc.end() && !it->is_null()) {
        Ctx dctx{source, "defaultErrnoRet"};
        if (p.default_action != Action::kErrno && p.default_action != Action::kTrace)
            dctx.fail("only goes with a defaultAction of SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
        p.default_errno = get_errno(dctx, *it, "defaultErrnoRet");
    }
    if (auto it = doc.find("architectures"); it != doc.end()) {
        Ctx actx{source, "architectures"};
        for (auto& arch : get_strings(actx, *it, "architectures"))
            p.architectures.push_back(check_scmp_arch(actx, arch));
    }
    if (auto it = doc.find("archMap"); it != doc.end() && !it->is_null()) {
        if (!it->is_array()) fail(source, "archMap", "must be an array");
        size_t i = 0;
        for (auto& entry : *it) {
            Ctx actx{source, fmt::format("archMap[{}]", i++)};
            if (!entry.is_object() || !entry.contains("architecture"))
                actx.fail("must be an object with an architecture");
            check_keys(actx, entry, {"architecture", "subArchitectures"});
            std::string arch =
                check_scmp_arch(actx, get_string(actx, entry.at("architecture"), "architecture"));
            std::vector<std::string> subs;
            if (entry.contains("subArchitectures"))
                for (auto& s : get_strings(actx, entry.at("subArchitectures"), "subArchitectures"))
                    subs.push_back(check_scmp_arch(actx, s));
            p.arch_map.emplace_back(arch, subs);
        }
    }
    if (auto it = doc.find("flags"); it != doc.end()) {
        Ctx fctx{source, "flags"};
        for (auto& flag : get_strings(fctx, *it, "flags")) {
            if (flag != "SECCOMP_FILTER_FLAG_LOG" && flag != "SECCOMP_FILTER_FLAG_SPEC_ALLOW" &&
                flag != "SECCOMP_FILTER_FLAG_TSYNC")
                fctx.fail(fmt::format("unknown flag \"{}\"", flag));
            p.flags.push_back(flag);
        }
    }
    if (auto it = doc.find("listenerPath");
        it != doc.end() && !(it->is_string() && it->get<std::string>().empty()) && !it->is_null())
        fail(source, "listenerPath",
             "seccomp agents (SCMP_ACT_NOTIFY) are not supported by vessel");
    if (auto it = doc.find("syscalls"); it != doc.end() && !it->is_null()) {
        if (!it->is_array()) fail(source, "syscalls", "must be an array");
        size_t i = 0;
        for (auto& entry : *it)
            p.rules.push_back(parse_rule(Ctx{source, fmt::format("syscalls[{}]", i++)}, entry));
    }
    return p;
}

Resolved resolve(const Profile& profile, caps::Mask mask, const Platform& platform,
                 std::string_view source) {
    Resolved r;
    r.source = source;
    r.default_action = profile.default_action;
    r.default_errno = profile.default_errno.value_or(1);
    r.flags = profile.flags;
    // Docker: with an archMap, the native architecture and its sub-architectures; else the list.
    if (!profile.arch_map.empty()) {
        for (auto& [arch, subs] : profile.arch_map) {
            if (arch != platform.scmp_arch) continue;
            r.architectures.push_back(arch);
            r.architectures.insert(r.architectures.end(), subs.begin(), subs.end());
        }
    } else {
        r.architectures = profile.architectures;
    }
    if (!platform.x32_abi) {
        auto x32 = std::find(r.architectures.begin(), r.architectures.end(), "SCMP_ARCH_X32");
        if (x32 != r.architectures.end()) {
            r.architectures.erase(x32);
            r.left_out_x32 = true;
        }
    }
    for (const Rule& rule : profile.rules) {
        if (!applies(rule, mask, platform)) continue;
        uint32_t err = rule.errno_ret.value_or(rule.action == Action::kErrno ? 1 : 0);
        // libseccomp refuses a rule whose action is the default one; it would change nothing.
        if (rule.action == r.default_action &&
            (rule.action != Action::kErrno || err == r.default_errno))
            continue;
        for (auto& name : rule.names)
            r.rules.push_back({name, rule.action, err, rule.args, rule.where});
    }
    return r;
}

}  // namespace vessel::seccomp_profile
