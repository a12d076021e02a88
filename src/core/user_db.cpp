#include "vessel/core/user_db.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "vessel/util/error.hpp"

namespace vessel {
namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (;;) {
        size_t pos = text.find(sep, start);
        out.push_back(text.substr(start, pos - start));
        if (pos == std::string_view::npos) return out;
        start = pos + 1;
    }
}

std::optional<uint32_t> parse_id(std::string_view text) {
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

struct PasswdEntry {
    std::string_view name;
    uint32_t uid, gid;
    std::string_view home;
};
struct GroupEntry {
    std::string_view name;
    uint32_t gid;
    std::vector<std::string_view> members;
};

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
    std::vector<PasswdEntry> out;
    for (std::string_view line : split(text, '\n')) {
        if (line.empty() || line[0] == '#') continue;
        auto f = split(line, ':');
        if (f.size() < 7) continue;  // malformed lines are skipped, as libc does
        auto uid = parse_id(f[2]);
        auto gid = parse_id(f[3]);
        if (!uid || !gid) continue;
        out.push_back({f[0], *uid, *gid, f[5]});
    }
    return out;
}

std::vector<GroupEntry> parse_group(std::string_view text) {
    std::vector<GroupEntry> out;
    for (std::string_view line : split(text, '\n')) {
        if (line.empty() || line[0] == '#') continue;
        auto f = split(line, ':');
        if (f.size() < 4) continue;
        auto gid = parse_id(f[2]);
        if (!gid) continue;
        std::vector<std::string_view> members;
        if (!f[3].empty()) members = split(f[3], ',');
        out.push_back({f[0], *gid, std::move(members)});
    }
    return out;
}

}  // namespace

ResolvedUser resolve_user(std::string_view spec, std::string_view passwd, std::string_view group) {
    std::string_view user_part = spec;
    std::optional<std::string_view> group_part;
    if (auto colon = spec.find(':'); colon != std::string_view::npos) {
        user_part = spec.substr(0, colon);
        group_part = spec.substr(colon + 1);
        if (group_part->empty())
            throw Error("invalid user \"" + std::string(spec) + "\": empty group");
    }
    if (user_part.empty()) user_part = "0";

    auto users = parse_passwd(passwd);
    auto groups = parse_group(group);
    ResolvedUser out;

    // The user: a number (which need not exist in passwd, as in docker) or a name (which must).
    const PasswdEntry* entry = nullptr;
    if (auto uid = parse_id(user_part)) {
        out.uid = *uid;
        auto it = std::find_if(users.begin(), users.end(), [&](auto& u) { return u.uid == *uid; });
        if (it != users.end()) entry = &*it;
    } else {
        auto it =
            std::find_if(users.begin(), users.end(), [&](auto& u) { return u.name == user_part; });
        if (it == users.end())
            throw Error("unable to find user " + std::string(user_part) +
                        ": no matching entries in the image's /etc/passwd");
        entry = &*it;
        out.uid = entry->uid;
    }
    if (entry) {
        out.gid = entry->gid;
        out.name = entry->name;
        if (!entry->home.empty()) out.home = entry->home;
    }

    // The primary group: from -u's GROUP when given, else from the passwd entry.
    if (group_part) {
        if (auto gid = parse_id(*group_part)) {
            out.gid = *gid;
        } else {
            auto it = std::find_if(groups.begin(), groups.end(),
                                   [&](auto& g) { return g.name == *group_part; });
            if (it == groups.end())
                throw Error("unable to find group " + std::string(*group_part) +
                            ": no matching entries in the image's /etc/group");
            out.gid = it->gid;
        }
    }

    // Supplementary groups: the primary one, plus every group that lists the user by name.
    out.groups.push_back(out.gid);
    if (!out.name.empty()) {
        for (auto& g : groups) {
            bool member =
                std::find(g.members.begin(), g.members.end(), out.name) != g.members.end();
            if (member &&
                std::find(out.groups.begin(), out.groups.end(), g.gid) == out.groups.end())
                out.groups.push_back(g.gid);
        }
    }
    return out;
}

}  // namespace vessel
