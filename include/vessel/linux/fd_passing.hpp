// Passing an open file descriptor to another process over a Unix socket (SCM_RIGHTS): the
// kernel installs a new descriptor for the same open file in the receiver.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include "vessel/util/unique_fd.hpp"

namespace vessel::fd_passing {

// sendmsg of the buffers, with `fd` attached when it is >= 0. Retries on EINTR; returns 0 or
// the errno of the failure. MSG_NOSIGNAL: a peer that left is an error, not a SIGPIPE.
int send(int sock, const iovec* buffers, size_t count, int fd = -1);

// recvmsg into the buffers; a descriptor that came along lands in `fd` (close-on-exec).
// Retries on EINTR; returns the byte count (0 at end-of-file) or -errno.
ssize_t receive(int sock, iovec* buffers, size_t count, UniqueFd& fd);

}  // namespace vessel::fd_passing
