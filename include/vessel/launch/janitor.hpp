// The janitor: a small process forked before the container starts, whose only job is to clean
// up if vessel itself dies without doing so (SIGKILL, OOM, a crash). The kernel already kills
// the container when vessel dies (PR_SET_PDEATHSIG); the janitor removes what the container
// leaves: its cgroup directories and, with --rm, its state directory. Otherwise it records the
// container as exited, so `vessel ps -a` tells the truth. It does so through the one teardown
// (teardown.hpp), as `vessel rm` does for a container whose janitor died too. (docs/process.md)
#pragma once

#include <string>

#include "vessel/core/state.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel {

class Janitor {
  public:
    Janitor() = default;
    // Forks the janitor for container `id`. It waits for the end of a pipe whose write end
    // only this process holds: end-of-file without a dismiss() means vessel died.
    static Janitor start(const StateStore& store, const std::string& id);

    // vessel cleaned up itself: the janitor exits without touching anything.
    void dismiss();

  private:
    explicit Janitor(UniqueFd pipe) : pipe_(std::move(pipe)) {}
    UniqueFd pipe_;
};

}  // namespace vessel
