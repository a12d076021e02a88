#include "vessel/running/log_relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/log.hpp"

namespace vessel {

using container_log::Stream;

LogRelay::LogRelay(const std::string& path) : path_(path) {
    file_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (!file_) throw SysError("cannot create the log file " + path, errno);
}

void LogRelay::append(Stream stream, const container_log::LineSplitter::Piece& piece) {
    // One write(2) per record, with O_APPEND: a reader never sees half a record, except the
    // last one while it is being written, which `vessel logs -f` waits for.
    std::string line = container_log::format({clock::now_ns(), stream, piece.partial, piece.text});
    std::string_view rest = line;
    while (!rest.empty()) {
        ssize_t n = ::write(file_.get(), rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            // A full disk must not kill the container: its output is dropped, and said so once.
            static bool warned = false;
            if (!warned)
                spdlog::error("cannot write to {}: {}; output is lost", path_, errno_text(errno));
            warned = true;
            return;
        }
        rest.remove_prefix(static_cast<size_t>(n));
    }
}

bool LogRelay::read_from(int fd, Stream stream) {
    auto& splitter = stream == Stream::kStdout ? out_ : err_;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return true;
        if (n <= 0) {  // EOF, or EIO from a pty master without slaves
            if (auto rest = splitter.flush()) append(stream, *rest);
            return false;
        }
        std::string_view data(buf, static_cast<size_t>(n));
        if (tee_) tee_(stream, data);
        for (const auto& piece : splitter.feed(data)) append(stream, piece);
        if (static_cast<size_t>(n) < sizeof buf) return true;
    }
}

void LogRelay::drain(int fd, Stream stream, int timeout_ms) {
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        int rc = ::poll(&p, 1, timeout_ms);
        if (rc < 0 && errno == EINTR) continue;
        if (rc <= 0 || !read_from(fd, stream)) break;
    }
    if (auto rest = (stream == Stream::kStdout ? out_ : err_).flush()) append(stream, *rest);
}

void LogRelay::flush_partial() {
    if (auto rest = out_.flush()) append(Stream::kStdout, *rest);
    if (auto rest = err_.flush()) append(Stream::kStderr, *rest);
}

}  // namespace vessel
