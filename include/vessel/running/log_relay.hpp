// The monitor's half of `vessel logs` (docs/lifecycle.md): it reads what a detached container
// writes, from the stdout and stderr pipes (or, with -t, the pty master), and appends it to the
// container's log file as CRI records (core/container_log.hpp), stamped with the time it arrived.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "vessel/core/container_log.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel {

class LogRelay {
  public:
    // Opens (creates, appends to) the log file. Throws SysError.
    explicit LogRelay(const std::string& path);

    // Also hands every chunk read to `tee` as it arrives (the monitor's attached clients).
    using Tee = std::function<void(container_log::Stream, std::string_view)>;
    void set_tee(Tee tee) { tee_ = std::move(tee); }

    // Reads what `fd` (non-blocking) has and logs it as `stream`. False at end-of-file, or EIO,
    // which is how a pty master says that no process holds its slave any more.
    bool read_from(int fd, container_log::Stream stream);
    // Waits for `fd`'s end-of-file (up to `timeout_ms` of silence), logging everything.
    void drain(int fd, container_log::Stream stream, int timeout_ms);
    // Whether a line without its newline is waiting; the monitor flushes it after a pause so
    // that a prompt shows up in `logs -f`.
    bool has_partial() const { return out_.pending() || err_.pending(); }
    void flush_partial();

  private:
    void append(container_log::Stream stream, const container_log::LineSplitter::Piece& piece);

    UniqueFd file_;
    std::string path_;
    Tee tee_;
    container_log::LineSplitter out_, err_;
};

}  // namespace vessel
