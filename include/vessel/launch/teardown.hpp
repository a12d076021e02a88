// The one way a container ends (docs/lifecycle.md, "How a container ends"). Every path that ends
// a container comes here: a failed start, PID 1's exit under its owner (vessel run or the
// monitor), the janitor when the owner was killed, and `vessel rm` for what is left. It knows
// every resource a container owns on the host, releases them in the reverse order of their
// making, and records how the container ended.
//
// A new kind of resource (a veth pair, an IP lease, nft rules, volume mounts, an image lease) is
// added here once: a member of OwnedResources, recorded in state.json so that a process other
// than the owner can find it, and one step in end(). Nothing else in vessel removes anything.
#pragma once

#include <memory>
#include <string>

#include "vessel/core/state.hpp"
#include "vessel/launch/janitor.hpp"
#include "vessel/linux/cgroups.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::teardown {

// What a container owns on the host, in the order launch() acquires it. What its processes
// hold inside their own namespaces (the overlay and every other mount, the pid, network, UTS and
// IPC namespaces) ends with its last process and needs no step here.
//
//   1. the state directory <root>/<id>/ (state.json, the overlay's upper/ and work/,
//      seccomp.bpf, the logs) and the name reservation: named by the state's spec
//   2. the cgroup directories, one per hierarchy (state.json "cgroup")
//   3. the janitor, which ends the container should its owner die
//   4. PID 1, and with it everything in the container
//   5. anonymous volumes (-v CTR_PATH), named in the spec's mounts: with --rm, or when the start
//      failed (the mounts themselves end with the mount namespace)
//   6. the network (--network bridge/NAME, state.json "network"): the published ports' nft
//      elements and the address lease (network_attach.hpp); the veth pair ends with the
//      network namespace, like every other mount and namespace below
//   The image lease needs no step of its own: it is the spec's image_id in state.json (rmi
//   refuses an image while a container's state names it), so it ends with 1.
struct OwnedResources {
    std::unique_ptr<cgroups::Cgroup> cgroup;  // 2
    Janitor janitor;                          // 3: the owner's only
    UniqueFd init;                            // 4: PID 1 until reaped, the owner's only

    // What a state.json names, for a process that is not the container's owner (the janitor,
    // `vessel rm`): the cgroup; never a janitor or a pidfd.
    static OwnedResources recorded_in(const ContainerState& state);
};

// How a container ended, which decides what is recorded.
enum class Ending {
    kStartFailed,  // launch() failed: everything goes, nothing is recorded (exit 125, 126, 127)
    kExited,       // PID 1 exited (or supervision failed) under its owner, with `exit_code`
    kOwnerDied,    // its owner died without recording the exit: the janitor, or `vessel rm`
    kRemoved,      // `vessel rm`: everything goes
};

// Kills what is left (PID 1 if not reaped yet, then the cgroup), releases every resource in
// `owned` (newest first), then, under the container's lock, removes the state (kStartFailed,
// kRemoved, --rm) or records the ending in it: exited with `exit_code`, unless an exit is
// recorded already. Finally dismisses the janitor. Quiet about what is gone already; throws
// Error when something cannot be released (then the janitor, still armed, tries again).
void end(const StateStore& store, ContainerState& state, OwnedResources& owned, Ending how,
         int exit_code);

// end() for a process that is not the container's owner: reads the state and ends what it
// names. Does nothing when the container is gone already.
void end_recorded(const StateStore& store, const std::string& id, Ending how, int exit_code);

}  // namespace vessel::teardown
