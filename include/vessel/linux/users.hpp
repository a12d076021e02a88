// Becoming the container's user (docs/users.md): supplementary groups first (they are never
// inherited from the host), then the gid, then the uid, each with the real, effective and saved
// ids at once so no way back remains.
#pragma once

#include "vessel/core/user_db.hpp"

namespace vessel::users {

// Reads /etc/passwd and /etc/group from inside `root_fd` (the image directory, opened by the
// parent), never following a link out of it, and resolves `spec` ("USER[:GROUP]"). The parent
// does this before anything is created, so an unknown user is a clean error.
ResolvedUser resolve_in_root(int root_fd, const std::string& spec);

// Child side: setgroups, setresgid, setresuid.
void switch_to(const ResolvedUser& user);

}  // namespace vessel::users
