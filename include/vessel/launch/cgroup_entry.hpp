// Who puts a new container's PID 1 into its cgroups (docs/cgroups.md, "Why the child moves
// itself"). Decided once, right after clone3, from three facts, and read by both sides of the
// launch: the parent (before kReady) and the child (after it).
//
//   kBornInside    pure cgroup v2 and clone3(CLONE_INTO_CGROUP) placed the child: nothing to
//                  move, and clone3 gave it its cgroup namespace too
//   kJoinsItself   v1 hierarchies (hybrid, legacy), no user namespace: after kReady the child
//                  writes "0" to each hierarchy's `tasks` (one thread moving itself skips the
//                  7-15 ms RCU wait a move by pid costs); the parent only adds it to the
//                  cgroup2 directory when clone3 could not; the child unshares its cgroup
//                  namespace afterwards
//   kMovedByParent a user namespace: the child's unmapped uid may not write the host's cgroup
//                  files, so the parent writes its pid to every hierarchy clone3 did not place
//                  it in; the child unshares its cgroup namespace afterwards
#pragma once

namespace vessel {

enum class CgroupEntry { kBornInside, kJoinsItself, kMovedByParent };

// `complete_after_clone`: clone3(CLONE_INTO_CGROUP) covers every hierarchy (pure v2).
// `placed_by_clone`: the clone result says it did.
constexpr CgroupEntry decide_cgroup_entry(bool complete_after_clone, bool placed_by_clone,
                                          bool user_namespace) {
    if (complete_after_clone && placed_by_clone) return CgroupEntry::kBornInside;
    return user_namespace ? CgroupEntry::kMovedByParent : CgroupEntry::kJoinsItself;
}

}  // namespace vessel
