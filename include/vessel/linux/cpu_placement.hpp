// Where the parent and the child of a launch run (docs/handshake.md, "Two CPUs at once").
//
// After clone3 the parent and the child work side by side: the child builds its filesystem
// while the parent makes the cgroups. That only pays if they run at the same time. The kernel
// often puts a new child on its parent's CPU and lets the busy parent run on: it does not
// pre-empt the parent for its child, and an idle CPU takes the child only at its next load
// balancing, up to a timer tick later. Measured here, the child received kGo 0.6 ms after it was
// sent, when the parent went to sleep, and the two halves ran one after the other. So the parent,
// having released the child, moves itself to another of its CPUs and leaves its own to the
// child. The child's affinity is never touched: the command inherits exactly what it would have.
#pragma once

#include <sys/types.h>

namespace vessel::cpu_placement {

// Parent, right after kGo: when `child` waits on our CPU and we may use another, we move there.
// Our own set of CPUs is the same afterwards. Best effort: any failure just leaves us in place.
void make_room_for(pid_t child);

}  // namespace vessel::cpu_placement
