// Supervising a process in the foreground (`vessel run` without -d, and `vessel exec` without
// -d): vessel relays the terminal (with -t), forwards the signals it receives to the process,
// and waits for it to exit. One poll(2) loop over pidfd, signalfd, stdin and the pty master; no
// threads.
#pragma once

#include <string_view>

namespace vessel {

struct Supervised {
    int pidfd = -1;                   // the process: run's PID 1, or exec's command
    int pty_master = -1;              // with -t: the master side of its terminal
    bool interactive = false;         // -i: relay our stdin to the pty
    std::string_view what = "PID 1";  // for the trace: "PID 1 has exited"
};

// Returns the process's exit status (128+N when it died of signal N). `signal_fd` reads the
// signals blocked by signals::block(signals::forwarded()).
int supervise_foreground(const Supervised& process, int signal_fd);

}  // namespace vessel
