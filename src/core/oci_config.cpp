#include "vessel/core/oci_config.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "vessel/core/ids.hpp"
#include "vessel/core/seccomp_profile.hpp"
#include "vessel/util/error.hpp"

namespace vessel::oci {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw Error("config.json: " + where + ": " + what);
}

// Typed access with the field's path in every message: a wrong type is bad input, never a
// crash or a json exception's text.
const json* member(const json& j, const char* key, const std::string& where) {
    if (!j.is_object()) fail(where, "must be an object");
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return nullptr;
    return &*it;
}

std::string string_at(const json& j, const char* key, const std::string& where,
                      const std::string& fallback = "") {
    const json* v = member(j, key, where);
    if (!v) return fallback;
    if (!v->is_string()) fail(where + "." + key, "must be a string");
    return v->get<std::string>();
}

bool bool_at(const json& j, const char* key, const std::string& where, bool fallback = false) {
    const json* v = member(j, key, where);
    if (!v) return fallback;
    if (!v->is_boolean()) fail(where + "." + key, "must be true or false");
    return v->get<bool>();
}

std::optional<int64_t> int_at(const json& j, const char* key, const std::string& where) {
    const json* v = member(j, key, where);
    if (!v) return std::nullopt;
    if (!v->is_number_integer()) fail(where + "." + key, "must be an integer");
    if (v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX))
        fail(where + "." + key, "is out of range");
    return v->get<int64_t>();
}

std::optional<uint64_t> uint_at(const json& j, const char* key, const std::string& where) {
    const json* v = member(j, key, where);
    if (!v) return std::nullopt;
    if (!v->is_number_integer() ||
        (v->is_number_integer() && !v->is_number_unsigned() && v->get<int64_t>() < 0))
        fail(where + "." + key, "must be a non-negative integer");
    return v->get<uint64_t>();
}

uint32_t u32_at(const json& j, const char* key, const std::string& where, uint32_t fallback = 0) {
    auto v = uint_at(j, key, where);
    if (!v) return fallback;
    if (*v > UINT32_MAX) fail(where + "." + key, "is out of range");
    return static_cast<uint32_t>(*v);
}

std::vector<std::string> strings_at(const json& j, const char* key, const std::string& where) {
    const json* v = member(j, key, where);
    std::vector<std::string> out;
    if (!v) return out;
    if (!v->is_array()) fail(where + "." + key, "must be an array of strings");
    for (auto& item : *v) {
        if (!item.is_string()) fail(where + "." + key, "must be an array of strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

const json* array_at(const json& j, const char* key, const std::string& where) {
    const json* v = member(j, key, where);
    if (v && !v->is_array()) fail(where + "." + key, "must be an array");
    return v;
}

const json* object_at(const json& j, const char* key, const std::string& where) {
    const json* v = member(j, key, where);
    if (v && !v->is_object()) fail(where + "." + key, "must be an object");
    return v;
}

std::string indexed(const std::string& where, size_t i) {
    return fmt::format("{}[{}]", where, i);
}

// Fields vessel does not implement: refused when they say anything, so a container never runs
// with less than its config.json asked for.
void refuse_if_set(const json& j, const char* key, const std::string& where,
                   const std::string& why) {
    const json* v = member(j, key, where);
    if (!v) return;
    if ((v->is_object() || v->is_array()) && v->empty()) return;
    fail(where + "." + key, why);
}

void parse_user(const json& process, Config& c) {
    const json* user = object_at(process, "user", "process");
    if (!user) return;
    c.user.uid = u32_at(*user, "uid", "process.user");
    c.user.gid = u32_at(*user, "gid", "process.user");
    c.user.name = string_at(*user, "username", "process.user");
    c.user.groups.clear();
    if (const json* gids = array_at(*user, "additionalGids", "process.user")) {
        for (size_t i = 0; i < gids->size(); ++i) {
            const auto& g = (*gids)[i];
            if (!g.is_number_unsigned() || g.get<uint64_t>() > UINT32_MAX)
                fail(indexed("process.user.additionalGids", i), "must be a group id");
            c.user.groups.push_back(g.get<uint32_t>());
        }
    }
    if (auto umask = uint_at(*user, "umask", "process.user")) {
        if (*umask > 0777) fail("process.user.umask", "must be at most 0777 (511)");
        c.spec.umask = static_cast<uint32_t>(*umask);
    }
    c.spec.user = fmt::format("{}:{}", c.user.uid, c.user.gid);
}

caps::Mask capability_set(const json& capabilities, const char* key, Config& c) {
    caps::Mask mask = 0;
    for (auto& name : strings_at(capabilities, key, "process.capabilities")) {
        auto number = caps::number(name);
        if (!number) {
            // As runc does: a capability this build does not know is skipped, not fatal, so a
            // config written for a newer kernel still runs.
            c.warnings.push_back(fmt::format(
                "config.json: process.capabilities.{}: unknown capability \"{}\" ignored", key,
                name));
            continue;
        }
        mask |= caps::Mask{1} << *number;
    }
    return mask;
}

void parse_capabilities(const json& process, Config& c) {
    CapabilitySets sets;
    if (const json* capabilities = object_at(process, "capabilities", "process")) {
        sets.bounding = capability_set(*capabilities, "bounding", c);
        sets.effective = capability_set(*capabilities, "effective", c);
        sets.inheritable = capability_set(*capabilities, "inheritable", c);
        sets.permitted = capability_set(*capabilities, "permitted", c);
        sets.ambient = capability_set(*capabilities, "ambient", c);
    }
    c.spec.capability_sets = sets;
    // vessel's launch drops to one set; the bounding set limits everything else (docs/oci.md).
    c.spec.security.capabilities = sets.bounding;
    c.spec.security.privileged = false;
}

void parse_rlimits(const json& process, Config& c) {
    const json* rlimits = array_at(process, "rlimits", "process");
    if (!rlimits) return;
    std::set<std::string> seen;
    for (size_t i = 0; i < rlimits->size(); ++i) {
        const std::string where = indexed("process.rlimits", i);
        const json& r = (*rlimits)[i];
        std::string type = string_at(r, "type", where);
        Ulimit u;
        u.name = type.starts_with("RLIMIT_") ? type.substr(7) : "";
        for (char& ch : u.name)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (u.name.empty() || !rlimit_resource(u.name))
            fail(where + ".type", "unknown rlimit \"" + type + "\" (RLIMIT_NOFILE, ...)");
        if (!seen.insert(u.name).second) fail(where + ".type", type + " is given twice");
        auto hard = uint_at(r, "hard", where), soft = uint_at(r, "soft", where);
        if (!hard || !soft) fail(where, "needs both soft and hard");
        u.soft = *soft;
        u.hard = *hard;
        if (u.soft > u.hard) fail(where, "the soft limit is above the hard limit");
        c.spec.security.ulimits.push_back(u);
    }
}

void parse_process(const json& root, Config& c) {
    const json* process = object_at(root, "process", "");
    if (!process) fail("process", "is required to create a container");
    c.spec.args = strings_at(*process, "args", "process");
    if (c.spec.args.empty() || c.spec.args[0].empty())
        fail("process.args", "must name the command to run");
    refuse_if_set(*process, "commandLine", "process", "is for Windows only");
    c.spec.env = strings_at(*process, "env", "process");
    for (size_t i = 0; i < c.spec.env.size(); ++i)
        if (c.spec.env[i].find('=') == std::string::npos || c.spec.env[i][0] == '=')
            fail(indexed("process.env", i), "must be KEY=VALUE");
    c.spec.workdir = string_at(*process, "cwd", "process");
    if (c.spec.workdir.empty() || c.spec.workdir[0] != '/')
        fail("process.cwd", "must be an absolute path");
    c.spec.tty = bool_at(*process, "terminal", "process");
    // The created process keeps the caller's stdin, as under runc (docs/oci.md).
    c.spec.interactive = true;
    if (const json* size = object_at(*process, "consoleSize", "process")) {
        uint_at(*size, "height", "process.consoleSize");
        uint_at(*size, "width", "process.consoleSize");
    }
    parse_user(*process, c);
    c.user.home = "/";
    for (auto& kv : c.spec.env)
        if (kv.starts_with("HOME=")) c.user.home = kv.substr(5);
    parse_capabilities(*process, c);
    parse_rlimits(*process, c);
    c.spec.security.no_new_privileges = bool_at(*process, "noNewPrivileges", "process");
    if (auto adj = int_at(*process, "oomScoreAdj", "process")) {
        if (*adj < -1000 || *adj > 1000) fail("process.oomScoreAdj", "must be in -1000..1000");
        c.spec.oom_score_adj = static_cast<int>(*adj);
    }
    refuse_if_set(*process, "scheduler", "process", "is not supported by vessel");
    refuse_if_set(*process, "ioPriority", "process", "is not supported by vessel");
    refuse_if_set(*process, "execCPUAffinity", "process", "is not supported by vessel");
}

// AppArmor and SELinux: vessel applies neither. On a host without them the label means nothing
// and is ignored with a warning (as runc does); on a host with them, running unconfined would
// be less than asked, so it is refused.
void check_labels(const json& root, Config& c, const HostFeatures& host) {
    const json* process = object_at(root, "process", "");
    const json* linux = object_at(root, "linux", "");
    auto check = [&](const std::string& value, const std::string& field, bool present,
                     const char* lsm) {
        if (value.empty()) return;
        if (present)
            fail(field,
                 fmt::format("vessel cannot apply {} labels, and this host enforces {}", lsm, lsm));
        c.warnings.push_back(
            fmt::format("config.json: {}: \"{}\" ignored: this host has no {}", field, value, lsm));
    };
    if (process) {
        check(string_at(*process, "apparmorProfile", "process"), "process.apparmorProfile",
              host.apparmor, "AppArmor");
        check(string_at(*process, "selinuxLabel", "process"), "process.selinuxLabel", host.selinux,
              "SELinux");
    }
    if (linux)
        check(string_at(*linux, "mountLabel", "linux"), "linux.mountLabel", host.selinux,
              "SELinux");
}

void parse_root(const json& root, const std::string& bundle, Config& c) {
    const json* r = object_at(root, "root", "");
    if (!r) fail("root", "is required: the container's root filesystem");
    std::string path = string_at(*r, "path", "root");
    if (path.empty()) fail("root.path", "must name the root filesystem");
    c.spec.rootfs = path[0] == '/' ? path : bundle + "/" + path;
    c.spec.image = c.spec.rootfs;
    c.spec.read_only = bool_at(*r, "readonly", "root");
}

void parse_mounts(const json& root, Config& c) {
    const json* mounts = array_at(root, "mounts", "");
    if (!mounts) return;
    for (size_t i = 0; i < mounts->size(); ++i) {
        const std::string where = indexed("mounts", i);
        const json& m = (*mounts)[i];
        OciMount spec;
        spec.destination = string_at(m, "destination", where);
        if (spec.destination.empty() || spec.destination[0] != '/')
            fail(where + ".destination", "must be an absolute path");
        spec.type = string_at(m, "type", where);
        spec.source = string_at(m, "source", where);
        spec.options = strings_at(m, "options", where);
        refuse_if_set(m, "uidMappings", where, "idmapped mounts are not supported by vessel");
        refuse_if_set(m, "gidMappings", where, "idmapped mounts are not supported by vessel");
        MountOptions options;
        try {
            options = mount_options(spec.options);
        } catch (const Error& e) {
            fail(where + ".options", e.what());
        }
        if (options.bind() || spec.type == "bind") {
            if (spec.source.empty() || spec.source[0] != '/')
                fail(where + ".source", "a bind mount needs an absolute host path");
        } else if (spec.type.empty()) {
            fail(where + ".type", "is required for a mount that is not a bind mount");
        }
        if (made_by_vessel(spec)) continue;
        c.spec.oci_mounts.push_back(std::move(spec));
    }
}

void parse_hooks(const json& root, Config& c) {
    const json* hooks = object_at(root, "hooks", "");
    if (!hooks) return;
    static constexpr const char* kStages[] = {"prestart",       "createRuntime", "createContainer",
                                              "startContainer", "poststart",     "poststop"};
    std::vector<HookSpec>* targets[] = {
        &c.spec.hooks.prestart,        &c.spec.hooks.create_runtime, &c.spec.hooks.create_container,
        &c.spec.hooks.start_container, &c.spec.hooks.poststart,      &c.spec.hooks.poststop};
    for (size_t s = 0; s < std::size(kStages); ++s) {
        const json* list = array_at(*hooks, kStages[s], "hooks");
        if (!list) continue;
        for (size_t i = 0; i < list->size(); ++i) {
            const std::string where = indexed(std::string("hooks.") + kStages[s], i);
            const json& h = (*list)[i];
            HookSpec hook;
            hook.path = string_at(h, "path", where);
            if (hook.path.empty() || hook.path[0] != '/')
                fail(where + ".path", "must be an absolute path");
            hook.args = strings_at(h, "args", where);
            hook.env = strings_at(h, "env", where);
            if (auto t = int_at(h, "timeout", where)) {
                if (*t <= 0 || *t > INT32_MAX) fail(where + ".timeout", "must be positive");
                hook.timeout = static_cast<int>(*t);
            }
            targets[s]->push_back(std::move(hook));
        }
    }
}

// vessel always gives a container its own mount, pid, ipc and uts namespaces (and a cgroup
// namespace), and a network namespace unless asked for the host's. What config.json lists is
// checked against that.
void parse_namespaces(const json& linux, Config& c) {
    const json* list = array_at(linux, "namespaces", "linux");
    std::set<std::string> types;
    bool user = false;
    if (list) {
        static const std::set<std::string> kKnown = {"pid", "network", "mount",  "ipc",
                                                     "uts", "user",    "cgroup", "time"};
        for (size_t i = 0; i < list->size(); ++i) {
            const std::string where = indexed("linux.namespaces", i);
            const json& ns = (*list)[i];
            const std::string type = string_at(ns, "type", where);
            if (!kKnown.contains(type)) fail(where + ".type", "unknown namespace \"" + type + "\"");
            if (!types.insert(type).second) fail(where + ".type", type + " is listed twice");
            if (!string_at(ns, "path", where).empty())
                fail(where + ".path",
                     "joining an existing namespace by path is not supported by vessel yet");
            if (type == "time") fail(where, "time namespaces are not supported by vessel");
            if (type == "user") user = true;
        }
    }
    for (const char* required : {"mount", "pid", "ipc", "uts"})
        if (!types.contains(required))
            fail("linux.namespaces",
                 fmt::format("vessel always gives a container its own {} namespace; sharing the "
                             "host's is not supported (add {{\"type\": \"{}\"}})",
                             required, required));
    c.spec.network = types.contains("network") ? NetworkMode::kNone : NetworkMode::kHost;

    const json* uids = array_at(linux, "uidMappings", "linux");
    const json* gids = array_at(linux, "gidMappings", "linux");
    const bool mapped = (uids && !uids->empty()) || (gids && !gids->empty());
    if (!user) {
        if (mapped) fail("linux.uidMappings", "needs a user namespace in linux.namespaces");
        return;
    }
    // vessel's user namespace maps one range from container id 0 (--userns=remap).
    auto single = [&](const json* m, const char* field) -> std::pair<uint32_t, uint32_t> {
        const std::string where = std::string("linux.") + field;
        if (!m || m->size() != 1)
            fail(where, "vessel supports exactly one mapping range per user namespace");
        const json& r = (*m)[0];
        if (u32_at(r, "containerID", where + "[0]") != 0)
            fail(where + "[0].containerID", "must be 0 (vessel maps one range from root)");
        uint32_t size = u32_at(r, "size", where + "[0]");
        if (size == 0) fail(where + "[0].size", "must be positive");
        return {u32_at(r, "hostID", where + "[0]"), size};
    };
    auto [uid_first, uid_count] = single(uids, "uidMappings");
    auto [gid_first, gid_count] = single(gids, "gidMappings");
    if (uid_first != gid_first || uid_count != gid_count)
        fail("linux.gidMappings", "must map the same range as linux.uidMappings in vessel");
    c.spec.security.userns = UsernsRemap{uid_first, uid_count};
}

void parse_resources(const json& linux, Config& c) {
    Resources& r = c.spec.resources;
    r.pids_limit.reset();  // config.json without pids.limit means no limit
    const json* res = object_at(linux, "resources", "linux");
    if (!res) return;
    const std::string where = "linux.resources";
    if (const json* memory = object_at(*res, "memory", where)) {
        const std::string w = where + ".memory";
        if (auto limit = int_at(*memory, "limit", w); limit && *limit > 0) r.memory = *limit;
        if (auto swap = int_at(*memory, "swap", w); swap && *swap != 0) r.memory_swap = *swap;
        if (r.memory_swap && *r.memory_swap > 0 && r.memory && *r.memory_swap < *r.memory)
            fail(w + ".swap", "must be at least memory.limit (it counts memory plus swap)");
        if (auto v = int_at(*memory, "reservation", w); v && *v > 0)
            fail(w + ".reservation", "is not supported by vessel");
        if (auto v = int_at(*memory, "kernel", w); v && *v > 0)
            fail(w + ".kernel", "is not supported (and deprecated in the runtime-spec)");
        if (auto v = int_at(*memory, "kernelTCP", w); v && *v > 0)
            fail(w + ".kernelTCP", "is not supported by vessel");
        if (bool_at(*memory, "disableOOMKiller", w))
            fail(w + ".disableOOMKiller", "is not supported by vessel");
        uint_at(*memory, "swappiness", w);
    }
    if (const json* cpu = object_at(*res, "cpu", where)) {
        const std::string w = where + ".cpu";
        auto quota = int_at(*cpu, "quota", w);
        auto period = uint_at(*cpu, "period", w);
        if (quota && *quota > 0) {
            const double p = static_cast<double>(period && *period ? *period : 100000);
            r.cpus = static_cast<double>(*quota) / p;
        }
        if (auto shares = uint_at(*cpu, "shares", w); shares && *shares) r.cpu_shares = *shares;
        if (std::string cpus = string_at(*cpu, "cpus", w); !cpus.empty()) r.cpuset_cpus = cpus;
        if (!string_at(*cpu, "mems", w).empty()) fail(w + ".mems", "is not supported by vessel");
        for (const char* rt : {"realtimeRuntime", "realtimePeriod"})
            if (auto v = int_at(*cpu, rt, w); v && *v) fail(w + "." + rt, "is not supported");
        if (auto v = int_at(*cpu, "idle", w); v && *v) fail(w + ".idle", "is not supported");
    }
    if (const json* pids = object_at(*res, "pids", where))
        if (auto limit = int_at(*pids, "limit", where + ".pids"); limit && *limit > 0)
            r.pids_limit = *limit;
    // linux.resources.devices: vessel applies its own device policy, the same as runc's
    // default (deny all, allow the harmless nodes and the pty slaves); entries are checked only.
    if (const json* devices = array_at(*res, "devices", where)) {
        for (size_t i = 0; i < devices->size(); ++i) {
            const std::string w = indexed(where + ".devices", i);
            bool_at((*devices)[i], "allow", w);
            std::string type = string_at((*devices)[i], "type", w, "a");
            if (type != "a" && type != "b" && type != "c") fail(w + ".type", "must be a, b or c");
        }
    }
    for (const char* key : {"blockIO", "hugepageLimits", "network", "rdma", "unified"})
        refuse_if_set(*res, key, where, "is not supported by vessel");
}

void parse_seccomp(const json& linux, Config& c) {
    const json* seccomp = object_at(linux, "seccomp", "linux");
    Security& s = c.spec.security;
    if (!seccomp) {
        s.seccomp = "unconfined";  // config.json without linux.seccomp: no filter, as runc
        return;
    }
    if (!string_at(*seccomp, "listenerPath", "linux.seccomp").empty())
        fail("linux.seccomp.listenerPath", "seccomp notify is not supported by vessel");
    s.seccomp_profile = seccomp->dump();
    s.seccomp = "config.json";
    // Parsed now, so a bad profile is refused before anything exists.
    seccomp_profile::parse(s.seccomp_profile, "config.json linux.seccomp");
}

// linux.devices (podman --device and --privileged): vessel makes each as `--device PATH` does,
// the host's node at the same path, allowed in the device cgroup with rwm. vessel-oci checks
// before creating that the host's node is the one config.json describes.
void parse_devices(const json& linux, Config& c) {
    const json* list = array_at(linux, "devices", "linux");
    if (!list) return;
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string where = indexed("linux.devices", i);
        const json& d = (*list)[i];
        OciDevice dev;
        dev.path = string_at(d, "path", where);
        if (!dev.path.starts_with("/dev/") || dev.path.find("/..") != std::string::npos ||
            dev.path.size() <= 5)
            fail(where + ".path", "must be a path below /dev");
        const std::string type = string_at(d, "type", where);
        if (type != "c" && type != "u" && type != "b")
            fail(where + ".type", "\"" + type + "\" is not supported: only device nodes (c, u, b)");
        dev.type = type == "b" ? 'b' : 'c';
        auto major = int_at(d, "major", where), minor = int_at(d, "minor", where);
        if (!major || !minor || *major < 0 || *minor < 0)
            fail(where, "needs its major and minor numbers");
        dev.major = *major;
        dev.minor = *minor;
        c.spec.security.devices.push_back({dev.path, dev.path, "rwm"});
        c.devices.push_back(std::move(dev));
    }
}

void parse_linux(const json& root, Config& c) {
    const json* linux = object_at(root, "linux", "");
    if (!linux) fail("linux", "is required on Linux (namespaces, at least)");
    parse_namespaces(*linux, c);
    parse_resources(*linux, c);
    parse_seccomp(*linux, c);
    c.cgroups_path = string_at(*linux, "cgroupsPath", "linux");
    if (!c.cgroups_path.empty() && c.cgroups_path[0] != '/' &&
        std::count(c.cgroups_path.begin(), c.cgroups_path.end(), ':') == 2)
        fail("linux.cgroupsPath",
             "\"" + c.cgroups_path +
                 "\" is systemd's slice:prefix:name form; vessel manages cgroups without "
                 "systemd (use a path, and no --systemd-cgroup)");
    if (const json* sysctl = object_at(*linux, "sysctl", "linux")) {
        for (auto& [key, value] : sysctl->items()) {
            if (!value.is_string()) fail("linux.sysctl." + key, "must be a string");
            if (key.empty() || key.find("..") != std::string::npos || key[0] == '.' ||
                key.find('/') != std::string::npos)
                fail("linux.sysctl", "\"" + key + "\" is no sysctl name");
            c.spec.sysctl.emplace_back(key, value.get<std::string>());
        }
    }
    if (member(*linux, "maskedPaths", "linux"))
        c.spec.masked_paths = strings_at(*linux, "maskedPaths", "linux");
    else
        c.spec.masked_paths = std::vector<std::string>{};
    if (member(*linux, "readonlyPaths", "linux"))
        c.spec.readonly_paths = strings_at(*linux, "readonlyPaths", "linux");
    else
        c.spec.readonly_paths = std::vector<std::string>{};
    for (auto* paths : {&*c.spec.masked_paths, &*c.spec.readonly_paths})
        for (auto& p : *paths)
            if (p.empty() || p[0] != '/')
                fail("linux.maskedPaths", "\"" + p + "\" must be an absolute path");
    const std::string propagation = string_at(*linux, "rootfsPropagation", "linux");
    static const std::set<std::string> kPropagation = {"",        "private",    "rprivate",
                                                       "slave",   "rslave",     "shared",
                                                       "rshared", "unbindable", "runbindable"};
    if (!kPropagation.contains(propagation))
        fail("linux.rootfsPropagation", "unknown propagation \"" + propagation + "\"");
    if (propagation.find("shared") != std::string::npos)
        fail("linux.rootfsPropagation",
             "shared propagation is not supported: vessel keeps every container mount private");
    if (const json* personality = object_at(*linux, "personality", "linux")) {
        const std::string domain = string_at(*personality, "domain", "linux.personality");
        if (domain != "LINUX")
            fail("linux.personality.domain", "only LINUX is supported by vessel");
        if (!strings_at(*personality, "flags", "linux.personality").empty())
            fail("linux.personality.flags", "are not supported by vessel");
    }
    parse_devices(*linux, c);
    refuse_if_set(*linux, "timeOffsets", "linux", "time namespaces are not supported by vessel");
    refuse_if_set(*linux, "intelRdt", "linux", "is not supported by vessel");
    refuse_if_set(*linux, "memoryPolicy", "linux", "is not supported by vessel");
}

}  // namespace

bool MountOptions::bind() const {
    return flags & MS_BIND;
}

MountOptions mount_options(const std::vector<std::string>& options) {
    struct Flag {
        const char* name;
        bool clear;
        unsigned long bits;
    };
    // runc's table (libcontainer/specconv): each option sets or clears its bits.
    static constexpr Flag kFlags[] = {
        {"async", true, MS_SYNCHRONOUS},
        {"atime", true, MS_NOATIME},
        {"bind", false, MS_BIND},
        {"defaults", false, 0},
        {"dev", true, MS_NODEV},
        {"diratime", true, MS_NODIRATIME},
        {"dirsync", false, MS_DIRSYNC},
        {"exec", true, MS_NOEXEC},
        {"iversion", false, MS_I_VERSION},
        {"lazytime", false, MS_LAZYTIME},
        {"loud", true, MS_SILENT},
        {"mand", false, MS_MANDLOCK},
        {"noatime", false, MS_NOATIME},
        {"nodev", false, MS_NODEV},
        {"nodiratime", false, MS_NODIRATIME},
        {"noexec", false, MS_NOEXEC},
        {"noiversion", true, MS_I_VERSION},
        {"nolazytime", true, MS_LAZYTIME},
        {"nomand", true, MS_MANDLOCK},
        {"norelatime", true, MS_RELATIME},
        {"nostrictatime", true, MS_STRICTATIME},
        {"nosuid", false, MS_NOSUID},
        {"rbind", false, MS_BIND | MS_REC},
        {"relatime", false, MS_RELATIME},
        {"remount", false, MS_REMOUNT},
        {"ro", false, MS_RDONLY},
        {"rw", true, MS_RDONLY},
        {"silent", false, MS_SILENT},
        {"strictatime", false, MS_STRICTATIME},
        {"suid", true, MS_NOSUID},
        {"sync", false, MS_SYNCHRONOUS},
    };
    struct Propagation {
        const char* name;
        unsigned long bits;
    };
    static constexpr Propagation kPropagation[] = {
        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    MountOptions out;
    for (const auto& option : options) {
        bool known = false;
        for (const auto& f : kFlags) {
            if (option != f.name) continue;
            known = true;
            if (f.clear) {
                out.flags &= ~f.bits;
                out.clear |= f.bits;
            } else {
                out.flags |= f.bits;
                out.clear &= ~f.bits;
            }
        }
        for (const auto& p : kPropagation)
            if (option == p.name) known = true, out.propagation = p.bits;
        if (option == "tmpcopyup") known = out.tmpcopyup = true;
        if (known) continue;
        if (option.empty() || option.find(',') != std::string::npos)
            throw Error("\"" + option + "\" is no mount option");
        // recursive mount attributes (rro, rnosuid, ...) and idmap need mount_setattr: refused.
        if (option == "idmap" || option == "ridmap" ||
            (option.size() > 2 && option[0] == 'r' &&
             (option == "rro" || option == "rrw" || option == "rnosuid" || option == "rnodev" ||
              option == "rnoexec" || option == "rsuid" || option == "rdev" || option == "rexec" ||
              option == "rnoatime" || option == "ratime" || option == "rrelatime")))
            throw Error("\"" + option + "\" (a recursive mount attribute) is not supported yet");
        // Anything else is the filesystem's own (mode=755, size=64m, gid=5, ...).
        out.data += (out.data.empty() ? "" : ",") + option;
    }
    return out;
}

bool made_by_vessel(const OciMount& m) {
    struct Kernel {
        const char* destination;
        const char* type;
    };
    static constexpr Kernel kMade[] = {
        {"/proc", "proc"},
        {"/sys", "sysfs"},
        {"/dev", "tmpfs"},
        {"/dev/pts", "devpts"},
        {"/dev/shm", "tmpfs"},
        {"/dev/mqueue", "mqueue"},
        {"/sys/fs/cgroup", "cgroup"},
        {"/sys/fs/cgroup", "cgroup2"},
    };
    std::string destination = m.destination;
    while (destination.size() > 1 && destination.back() == '/') destination.pop_back();
    for (const auto& k : kMade)
        if (destination == k.destination && m.type == k.type) return true;
    // /sys bound from the host (rootless podman's way) is vessel's own /sys here.
    return destination == "/sys" && m.source == "/sys";
}

Config parse_config(std::string_view text, const std::string& bundle, const HostFeatures& host) {
    json root;
    try {
        root = json::parse(text);
    } catch (const json::exception& e) {
        throw Error(std::string("config.json is not valid JSON: ") + e.what());
    }
    if (!root.is_object()) throw Error("config.json must hold a JSON object");
    Config c;
    c.oci_version = string_at(root, "ociVersion", "");
    if (c.oci_version.empty()) fail("ociVersion", "is required (e.g. \"1.1.0\")");
    if (!c.oci_version.starts_with("1."))
        fail("ociVersion", "\"" + c.oci_version + "\" is not a 1.x runtime-spec version");
    parse_root(root, bundle, c);
    parse_process(root, c);
    check_labels(root, c, host);
    c.spec.hostname = string_at(root, "hostname", "");
    if (!c.spec.hostname.empty()) {
        try {
            ids::check_hostname(c.spec.hostname);
        } catch (const Error& e) {
            fail("hostname", e.what());
        }
    }
    c.spec.domainname = string_at(root, "domainname", "");
    if (c.spec.domainname.size() > 64) fail("domainname", "is longer than 64 characters");
    parse_mounts(root, c);
    parse_hooks(root, c);
    if (const json* annotations = object_at(root, "annotations", "")) {
        for (auto& [key, value] : annotations->items()) {
            if (!value.is_string()) fail("annotations." + key, "must be a string");
            c.annotations[key] = value.get<std::string>();
        }
    }
    parse_linux(root, c);
    if (c.spec.security.userns && c.spec.network == NetworkMode::kHost)
        fail("linux.namespaces", "a user namespace needs its own network namespace in vessel");
    return c;
}

nlohmann::json state_json(const std::string& id, const std::string& status, int pid,
                          const std::string& bundle,
                          const std::map<std::string, std::string>& annotations) {
    json j = {{"ociVersion", "1.1.0"}, {"id", id}, {"status", status}, {"bundle", bundle}};
    j["pid"] = status == "stopped" ? 0 : pid;
    j["annotations"] = annotations.empty() ? json::object() : json(annotations);
    return j;
}

}  // namespace vessel::oci
