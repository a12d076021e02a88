// vessel's minimal init, for `--init` (docs/process.md). The kernel treats PID 1 of a pid
// namespace specially: it ignores every signal it has no handler for, and it inherits every
// orphan, whose zombie it must reap. A shell or `sleep` is not written for that job; this is:
// PID 1 stays in vessel's code, forwards signals to the command and reaps zombies, and exits
// with the command's status when the command exits.
#pragma once

namespace vessel::mini_init {

// Forks. In the child (the command to be), returns so the launch can go on to execve. In the
// parent (now the container's init), never returns: it closes every fd above 2, its copy of
// the handshake with them (so the parent sees EOF when the command execs), and serves as init
// until the command exits.
void become_init_and_fork(bool tty);

}  // namespace vessel::mini_init
