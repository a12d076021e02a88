// Supervising a container in the foreground (`vessel run` without -d): vessel relays the
// terminal (with -t), forwards the signals it receives to the container's PID 1, and waits for
// PID 1 to exit. One poll(2) loop over pidfd, signalfd, stdin and the pty master; no threads.
#pragma once

#include "vessel/launch/launcher.hpp"

namespace vessel {

// Returns the container's exit status (128+N when PID 1 died of signal N). `signal_fd` reads
// the signals blocked by signals::block(signals::forwarded()).
int supervise_foreground(RunningContainer& container, int signal_fd);

}  // namespace vessel
