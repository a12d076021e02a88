#include "vessel/core/mount_spec.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "vessel/core/resources.hpp"
#include "vessel/util/error.hpp"

namespace vessel {
namespace {

std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        size_t at = text.find(sep, start);
        out.emplace_back(text.substr(start, at == std::string_view::npos ? at : at - start));
        if (at == std::string_view::npos) return out;
        start = at + 1;
    }
}

// --mount's value is one CSV record (docker reads it with Go's encoding/csv): fields split at
// commas, a field in double quotes may hold commas, "" inside quotes is one quote.
std::vector<std::string> split_csv(std::string_view text) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                out.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                out.back() += c;
            }
        } else if (c == '"' && out.back().empty()) {
            quoted = true;
        } else if (c == ',') {
            out.emplace_back();
        } else {
            out.back() += c;
        }
    }
    if (quoted) throw Error(fmt::format("invalid --mount \"{}\": a quote is not closed", text));
    return out;
}

std::optional<Propagation> propagation_from(std::string_view text) {
    static constexpr std::pair<const char*, Propagation> kModes[] = {
        {"rprivate", Propagation::kRPrivate}, {"private", Propagation::kPrivate},
        {"rslave", Propagation::kRSlave},     {"slave", Propagation::kSlave},
        {"rshared", Propagation::kRShared},   {"shared", Propagation::kShared}};
    for (auto [name, mode] : kModes)
        if (text == name) return mode;
    return std::nullopt;
}

bool is_rw_mode(std::string_view o) {
    return o == "ro" || o == "rw";
}
bool is_copy_mode(std::string_view o) {
    return o == "nocopy";
}
bool is_label_mode(std::string_view o) {
    return o == "z" || o == "Z";
}
bool is_consistency_mode(std::string_view o) {
    return o == "consistent" || o == "cached" || o == "delegated";
}

// docker's linuxValidMountMode: a comma list with at most one of each kind.
bool valid_mode(std::string_view mode) {
    if (mode.empty()) return true;
    int rw = 0, label = 0, prop = 0, copy = 0, consistency = 0;
    for (const auto& o : split(mode, ',')) {
        if (is_rw_mode(o))
            ++rw;
        else if (is_label_mode(o))
            ++label;
        else if (propagation_from(o))
            ++prop;
        else if (is_copy_mode(o))
            ++copy;
        else if (is_consistency_mode(o))
            ++consistency;
        else
            return false;
    }
    return rw <= 1 && label <= 1 && prop <= 1 && copy <= 1 && consistency <= 1;
}

std::string type_name(MountType t) {
    return to_string(t);
}

// docker's validateMountConfig for what does not need the file system. Returns the reason, or
// "" when the mount is fine; the callers wrap it the way docker does.
std::string config_problem(const MountSpec& m) {
    if (m.target.empty()) return "field Target must not be empty";
    if (clean_path(m.target) == "/") return "invalid specification: destination can't be '/'";
    if (m.target.front() != '/')
        return fmt::format("invalid mount path: '{}' mount path must be absolute", m.target);
    switch (m.type) {
        case MountType::kBind:
            if (m.source.empty()) return "field Source must not be empty";
            if (m.source.front() != '/')
                return fmt::format("invalid mount path: '{}' mount path must be absolute",
                                   m.source);
            break;
        case MountType::kVolume:
            if (m.readonly && m.source.empty())
                return "must not set ReadOnly mode when using anonymous volumes";
            break;
        case MountType::kTmpfs:
            if (!m.source.empty()) return "field Source must not be specified";
            break;
    }
    return "";
}

std::string make_absolute(const std::string& path, const std::string& cwd) {
    // The docker CLI makes "." and "./x" absolute; any other relative path is a volume name.
    if (path == "." || path.starts_with("./")) return clean_path(cwd + "/" + path);
    return path;
}

void finish(MountSpec& m) {
    m.target = clean_path(m.target);
    if (m.type == MountType::kBind) m.source = clean_path(m.source);
    if (m.type == MountType::kVolume) {
        m.anonymous = m.source.empty();
        if (!m.anonymous) check_volume_name(m.source);
    }
}

bool parse_bool(std::string_view text, bool& out) {
    // Go's strconv.ParseBool.
    static constexpr const char* kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
    static constexpr const char* kFalse[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (auto* t : kTrue)
        if (text == t) return out = true, true;
    for (auto* f : kFalse)
        if (text == f) return out = false, true;
    return false;
}

std::optional<uint32_t> parse_octal_mode(std::string_view text) {
    uint32_t mode = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), mode, 8);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || mode > 07777)
        return std::nullopt;
    return mode;
}

void apply_tmpfs_options(MountSpec& m, std::string_view options, std::string_view raw) {
    static constexpr const char* kFlags[] = {"exec", "noexec", "suid", "nosuid", "dev", "nodev"};
    for (const auto& o : split(options, ',')) {
        auto eq = o.find('=');
        std::string key = o.substr(0, eq);
        std::string value = eq == std::string::npos ? "" : o.substr(eq + 1);
        if (key == "size" && eq != std::string::npos) {
            m.tmpfs_size = resources::parse_bytes(value, "tmpfs size");
        } else if (key == "mode" && eq != std::string::npos) {
            m.tmpfs_mode = parse_octal_mode(value);
            if (!m.tmpfs_mode)
                throw Error(
                    fmt::format("invalid --tmpfs \"{}\": mode {} is not an octal mode "
                                "like 1777",
                                raw, value));
        } else if (o == "ro" || o == "rw") {
            m.readonly = o == "ro";
        } else if ((key == "uid" || key == "gid" || key == "nr_inodes") &&
                   eq != std::string::npos && !value.empty() &&
                   value.find_first_not_of("0123456789") == std::string::npos) {
            m.tmpfs_options.push_back(o);
        } else if (std::find(std::begin(kFlags), std::end(kFlags), o) != std::end(kFlags)) {
            m.tmpfs_options.push_back(o);
        } else {
            throw Error(fmt::format(
                "invalid --tmpfs \"{}\": unknown option \"{}\" (use size=, mode=, uid=, gid=, "
                "nr_inodes=, ro, rw, exec, noexec, suid, nosuid, dev, nodev)",
                raw, o));
        }
    }
}

}  // namespace

std::string clean_path(std::string_view path) {
    const bool absolute = path.starts_with('/');
    std::vector<std::string> parts;
    for (const auto& part : split(path, '/')) {
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!parts.empty() && parts.back() != "..")
                parts.pop_back();
            else if (!absolute)
                parts.push_back(part);
            continue;
        }
        parts.push_back(part);
    }
    std::string out = absolute ? "/" : "";
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
    return out.empty() ? "." : out;
}

std::string to_string(MountType type) {
    switch (type) {
        case MountType::kBind:
            return "bind";
        case MountType::kVolume:
            return "volume";
        case MountType::kTmpfs:
            return "tmpfs";
    }
    return "?";
}

std::string to_string(Propagation p) {
    switch (p) {
        case Propagation::kRPrivate:
            return "rprivate";
        case Propagation::kPrivate:
            return "private";
        case Propagation::kRSlave:
            return "rslave";
        case Propagation::kSlave:
            return "slave";
        case Propagation::kRShared:
            return "rshared";
        case Propagation::kShared:
            return "shared";
    }
    return "?";
}

void check_volume_name(std::string_view name) {
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    bool ok = name.size() >= 2 && alnum(name[0]);
    for (size_t i = 1; ok && i < name.size(); ++i)
        ok = alnum(name[i]) || name[i] == '_' || name[i] == '.' || name[i] == '-';
    if (!ok)
        throw Error(fmt::format(
            "create {0}: \"{0}\" includes invalid characters for a local volume name, only "
            "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
            "directory, use absolute path",
            name));
}

MountSpec parse_volume_flag(std::string_view raw, const std::string& cwd) {
    const std::string spec(raw);
    const std::string invalid = fmt::format("invalid volume specification: '{}'", spec);
    auto parts = split(raw, ':');
    if (parts[0].empty() || parts.size() > 3) throw Error(invalid);
    MountSpec m;
    std::string mode;
    if (parts.size() == 1) {
        m.target = parts[0];
    } else {
        // "/foo:rw" is a target with a mode and no source: docker refuses it.
        if (parts.size() == 2 && valid_mode(parts[1])) throw Error(invalid);
        m.source = make_absolute(parts[0], cwd);
        m.target = parts[1];
        if (parts.size() == 3) mode = parts[2];
    }
    if (!valid_mode(mode)) throw Error("invalid mode: " + mode);
    m.type = m.source.starts_with('/') ? MountType::kBind : MountType::kVolume;
    m.create_source = m.type == MountType::kBind;
    for (const auto& o : split(mode, ',')) {
        if (o == "ro") m.readonly = true;
        if (o == "nocopy") m.copy_up = false;
        if (auto p = propagation_from(o)) m.propagation = *p;
    }
    if (auto problem = config_problem(m); !problem.empty())
        throw Error(fmt::format("{}: invalid mount config for type \"{}\": {}", invalid,
                                type_name(m.type), problem));
    finish(m);
    return m;
}

MountSpec parse_mount_flag(std::string_view raw, const std::string& cwd) {
    MountSpec m;
    std::string type = "volume";
    bool bind_options = false, volume_options = false, tmpfs_options = false;
    for (const auto& field : split_csv(raw)) {
        auto eq = field.find('=');
        if (eq == std::string::npos) {
            if (field == "readonly" || field == "ro") {
                m.readonly = true;
            } else if (field == "volume-nocopy") {
                m.copy_up = false;
                volume_options = true;
            } else if (field == "bind-nonrecursive") {
                throw Error("bind-nonrecursive is not supported by vessel: binds are recursive");
            } else {
                throw Error(fmt::format("invalid field '{}' must be a key=value pair", field));
            }
            continue;
        }
        const std::string key = field.substr(0, eq), val = field.substr(eq + 1);
        auto bad_value = [&] { return Error(fmt::format("invalid value for {}: {}", key, val)); };
        if (key == "type") {
            type = val;
            std::transform(type.begin(), type.end(), type.begin(), ::tolower);
        } else if (key == "source" || key == "src") {
            m.source = make_absolute(val, cwd);
        } else if (key == "target" || key == "dst" || key == "destination") {
            m.target = val;
        } else if (key == "readonly" || key == "ro") {
            if (!parse_bool(val, m.readonly)) throw bad_value();
        } else if (key == "bind-propagation") {
            bind_options = true;
            auto p = propagation_from(val);
            if (!p)
                throw Error(
                    fmt::format("invalid mount config for type \"bind\": invalid propagation "
                                "mode: {}",
                                val));
            m.propagation = *p;
        } else if (key == "volume-nocopy") {
            volume_options = true;
            bool nocopy = false;
            if (!parse_bool(val, nocopy)) throw Error("invalid value for volume-nocopy: " + val);
            m.copy_up = !nocopy;
        } else if (key == "tmpfs-size") {
            tmpfs_options = true;
            try {
                m.tmpfs_size = resources::parse_bytes(val, "tmpfs-size");
            } catch (const Error&) {
                throw bad_value();
            }
        } else if (key == "tmpfs-mode") {
            tmpfs_options = true;
            m.tmpfs_mode = parse_octal_mode(val);
            if (!m.tmpfs_mode) throw bad_value();
        } else {
            throw Error(fmt::format("unexpected key '{}' in '{}'", key, field));
        }
    }
    if (type.empty()) throw Error("type is required");
    if (m.target.empty()) throw Error("target is required");
    if (volume_options && type != "volume")
        throw Error(fmt::format("cannot mix 'volume-*' options with mount type '{}'", type));
    if (bind_options && type != "bind")
        throw Error(fmt::format("cannot mix 'bind-*' options with mount type '{}'", type));
    if (tmpfs_options && type != "tmpfs")
        throw Error(fmt::format("cannot mix 'tmpfs-*' options with mount type '{}'", type));
    if (type == "bind")
        m.type = MountType::kBind;
    else if (type == "volume")
        m.type = MountType::kVolume;
    else if (type == "tmpfs")
        m.type = MountType::kTmpfs;
    else
        throw Error(fmt::format(
            "invalid mount config for type \"{}\": mount type unknown (use bind, volume or tmpfs)",
            type));
    if (auto problem = config_problem(m); !problem.empty())
        throw Error(fmt::format("invalid mount config for type \"{}\": {}", type, problem));
    // --mount never creates a missing bind source (create_source stays false).
    finish(m);
    return m;
}

MountSpec parse_tmpfs_flag(std::string_view raw) {
    MountSpec m;
    m.type = MountType::kTmpfs;
    auto colon = raw.find(':');
    m.target = std::string(raw.substr(0, colon));
    if (auto problem = config_problem(m); !problem.empty())
        throw Error(fmt::format("invalid --tmpfs \"{}\": {}", raw, problem));
    if (colon != std::string_view::npos) apply_tmpfs_options(m, raw.substr(colon + 1), raw);
    finish(m);
    return m;
}

std::pair<std::string, std::string> parse_volumes_from(std::string_view raw) {
    if (raw.empty()) throw Error("volumes-from specification cannot be an empty string");
    auto colon = raw.find(':');
    std::string id(raw.substr(0, colon));
    std::string mode = colon == std::string_view::npos ? "" : std::string(raw.substr(colon + 1));
    if (!mode.empty() && mode != "ro" && mode != "rw") throw Error("invalid mode: " + mode);
    return {id, mode};
}

void check_mount_targets(const std::vector<MountSpec>& mounts) {
    for (size_t i = 0; i < mounts.size(); ++i)
        for (size_t k = 0; k < i; ++k)
            if (mounts[i].target == mounts[k].target)
                throw Error("Duplicate mount point: " + mounts[i].target);
}

std::vector<MountSpec> in_mount_order(std::vector<MountSpec> mounts) {
    auto depth = [](const MountSpec& m) {
        return std::count(m.target.begin(), m.target.end(), '/');
    };
    std::stable_sort(mounts.begin(), mounts.end(),
                     [&](const MountSpec& a, const MountSpec& b) { return depth(a) < depth(b); });
    return mounts;
}

void to_json(nlohmann::json& j, const MountSpec& m) {
    j = {{"type", to_string(m.type)},
         {"source", m.source},
         {"target", m.target},
         {"readonly", m.readonly},
         {"propagation", to_string(m.propagation)},
         {"create_source", m.create_source},
         {"copy_up", m.copy_up},
         {"anonymous", m.anonymous},
         {"tmpfs_options", m.tmpfs_options},
         {"host_path", m.host_path}};
    j["tmpfs_size"] = m.tmpfs_size ? nlohmann::json(*m.tmpfs_size) : nlohmann::json(nullptr);
    j["tmpfs_mode"] = m.tmpfs_mode ? nlohmann::json(*m.tmpfs_mode) : nlohmann::json(nullptr);
}

void from_json(const nlohmann::json& j, MountSpec& m) {
    const std::string type = j.at("type").get<std::string>();
    m.type = type == "bind"    ? MountType::kBind
             : type == "tmpfs" ? MountType::kTmpfs
                               : MountType::kVolume;
    m.source = j.value("source", "");
    m.target = j.value("target", "");
    m.readonly = j.value("readonly", false);
    m.propagation =
        propagation_from(j.value("propagation", "rprivate")).value_or(Propagation::kRPrivate);
    m.create_source = j.value("create_source", false);
    m.copy_up = j.value("copy_up", true);
    m.anonymous = j.value("anonymous", false);
    m.tmpfs_options = j.value("tmpfs_options", std::vector<std::string>{});
    m.host_path = j.value("host_path", "");
    if (j.contains("tmpfs_size") && !j["tmpfs_size"].is_null())
        m.tmpfs_size = j["tmpfs_size"].get<int64_t>();
    if (j.contains("tmpfs_mode") && !j["tmpfs_mode"].is_null())
        m.tmpfs_mode = j["tmpfs_mode"].get<uint32_t>();
}

}  // namespace vessel
