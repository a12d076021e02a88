// Networking (docs/network.md). A new network namespace starts with one interface, `lo`, and
// even that one is down; the container gets it up so 127.0.0.1 works, and nothing else: no route
// leads out of `--network none`.
#pragma once

namespace vessel::network {

// Child side, inside the new network namespace: `ip link set lo up`, done with one ioctl.
void bring_up_loopback();

}  // namespace vessel::network
