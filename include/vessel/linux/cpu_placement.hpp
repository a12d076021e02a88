// Where the child runs first (docs/handshake.md, "Two CPUs at once").
//
// After clone3 the parent and the child work side by side: the child builds its filesystem
// while the parent makes the cgroups. That only pays if they run at the same time. The kernel
// puts a new child on its parent's CPU and lets the parent run on (it does not pre-empt a busy
// parent for its child, and an idle CPU only takes the child at the next load balancing, up
// to a timer tick later): measured here, the child would start when the parent blocks, 0.6 ms
// after clone3, and the two halves ran one after the other. So the parent asks the kernel to
// move the child to another of its CPUs before releasing it, and the child, once released,
// takes back every CPU it inherited: the command runs with the affinity vessel itself had.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <optional>

namespace vessel::cpu_placement {

// The CPUs this process may run on, read before clone3 so that the child keeps a copy.
// Empty when there is only one: nothing to spread over.
std::optional<cpu_set_t> spread_candidates();

// Parent, after clone3 and before kGo: `child` runs on one of `cpus` other than ours.
// Best effort: on failure (a cpuset that forbids it) the child simply stays where it is.
void start_elsewhere(pid_t child, const cpu_set_t& cpus);

// Child, once released: back to every CPU in `cpus` (the set it was born with).
void take_back(const cpu_set_t& cpus);

}  // namespace vessel::cpu_placement
