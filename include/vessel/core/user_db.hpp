// Resolving `-u USER[:GROUP]` against the image's own /etc/passwd and /etc/group (never the
// host's): names or numbers, the primary group, the supplementary groups and HOME.
// Pure text processing; the launcher reads the files from inside the image (docs/users.md).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace vessel {

struct ResolvedUser {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // supplementary groups, set with setgroups(2); primary included
    std::string name;           // "" when the uid has no passwd entry
    std::string home = "/";
};

// `spec` is "", "USER", "UID", "USER:GROUP", "UID:GID" (any mix). `passwd` and `group` are the
// contents of the image's files ("" when the image has none). Throws Error (exit 125) when a
// name is unknown or a number is malformed.
ResolvedUser resolve_user(std::string_view spec, std::string_view passwd, std::string_view group);

}  // namespace vessel
