// `vessel attach` (docs/lifecycle.md): connects this terminal to a detached container's PID 1
// through its monitor (launch/attach_server.hpp). You see what it writes from now on; with a
// container started with -i your input reaches it; with -t your terminal is put in raw mode and
// its size follows yours. Ctrl-P Ctrl-Q detaches and leaves the container running, as in docker.
// Without -t, the signals vessel attach gets are passed to PID 1 (docker's --sig-proxy).
#pragma once

#include "vessel/core/state.hpp"

namespace vessel {

// Returns the container's exit status when it exits while attached, or 0 on detach. Throws
// Error (125) for a container that is not running or was not started with -d.
int attach(const StateStore& store, const ContainerState& state);

}  // namespace vessel
