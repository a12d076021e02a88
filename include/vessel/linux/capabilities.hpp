// Capabilities (docs/capabilities.md): root's powers cut into ~41 pieces. A process has five
// sets: bounding (the most it can ever get), permitted, effective (what the kernel checks),
// inheritable and ambient (what survives execve). A container's root keeps Docker's 14 in
// bounding, permitted and effective; inheritable and ambient are empty, so nothing is handed on
// through execve except what file capabilities grant within the bounding set.
#pragma once

#include "vessel/core/capability_set.hpp"

namespace vessel::capabilities {

// The highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap).
int last_cap();

// Child side, while still privileged: drops from the bounding set every capability not in
// `keep` (prctl PR_CAPBSET_DROP; needs CAP_SETPCAP), and empties the ambient set.
void limit_bounding_set(caps::Mask keep);

// Child side, after the uid switch: permitted and effective become `keep` for uid 0 and empty
// for any other uid (what execve would give a non-root user anyway, as Docker does);
// inheritable is always empty.
void set_process_sets(caps::Mask keep, bool root);

}  // namespace vessel::capabilities
