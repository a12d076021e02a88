// A container's place on a network, from the launch's side (docs/network.md). Three moments:
//
//   prepare()  before clone3: the address leased (--network bridge/NAME), free host ports chosen
//              for -p, and /etc/hosts, /etc/resolv.conf, /etc/hostname written into the state
//              directory; everything recorded in state.network first, so the teardown finds it.
//   connect()  between kGo and kReady, while the child builds its filesystem: the bridge and
//              the nftables rules made if missing, the veth pair (its inner end created in the
//              child's network namespace as eth0), the published ports. The child brings eth0 up
//              with its address after kReady (KernelSteps::configure_network).
//   release()  teardown entry 6: the ports unpublished, the lease returned, and the other
//              containers' /etc/hosts on a user-defined network updated. The veth pair goes
//              with the container's network namespace (the kernel deletes it).
#pragma once

#include <sys/types.h>

#include <vector>

#include "vessel/core/mount_spec.hpp"
#include "vessel/core/state.hpp"

namespace vessel::network_attach {

// Fills state.network and state.spec.ports' host ports; writes the /etc files. The caller saves
// the state. Throws Error (an unknown network, a full subnet, a taken --ip) or SysError.
void prepare(const StateStore& store, ContainerState& state);

// The binds of the three /etc files from the state directory, for the child to attach, followed
// by the container's own mounts; a file the user mounts (-v x:/etc/hosts) is left to the user's
// mount, as docker does.
std::vector<MountSpec> with_etc_files(const StateStore& store, const ContainerSpec& spec);

// Parent side, in vessel's network namespace; `child` is PID 1, in its new network namespace.
void connect(const StateStore& store, const ContainerState& state, pid_t child);

// Quiet about what is gone already; clears state.network. Throws Error when something that
// exists cannot be removed.
void release(const StateStore& store, ContainerState& state);

}  // namespace vessel::network_attach
