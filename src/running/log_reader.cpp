#include "vessel/running/log_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "vessel/core/container_log.hpp"
#include "vessel/linux/process.hpp"
#include "vessel/running/control.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"

namespace vessel {
namespace {

using container_log::Record;
using container_log::Stream;

class Printer {
  public:
    explicit Printer(bool timestamps) : timestamps_(timestamps) {}

    void print(const Record& r) {
        FILE* out = r.stream == Stream::kStdout ? stdout : stderr;
        bool& at_line_start = r.stream == Stream::kStdout ? out_at_start_ : err_at_start_;
        if (timestamps_ && at_line_start) {
            std::string stamp = clock::to_rfc3339(r.time_ns) + " ";
            std::fwrite(stamp.data(), 1, stamp.size(), out);
        }
        std::string text = container_log::payload(r);
        std::fwrite(text.data(), 1, text.size(), out);
        at_line_start = !r.partial;
    }
    void flush() {
        std::fflush(stdout);
        std::fflush(stderr);
    }

  private:
    bool timestamps_;
    bool out_at_start_ = true, err_at_start_ = true;
};

// Reads complete lines from the log fd as it grows; a line still being written stays in the
// buffer until its newline arrives.
class RecordReader {
  public:
    explicit RecordReader(int fd) : fd_(fd) {}

    std::vector<Record> read_available() {
        char buf[65536];
        for (;;) {
            ssize_t n = ::read(fd_, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw SysError("cannot read the log", errno);
            if (n == 0) break;
            pending_.append(buf, static_cast<size_t>(n));
        }
        std::vector<Record> records;
        size_t start = 0;
        for (size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
            if (auto r = container_log::parse(std::string_view(pending_).substr(start, nl - start)))
                records.push_back(std::move(*r));
        }
        pending_.erase(0, start);
        return records;
    }

  private:
    int fd_;
    std::string pending_;
};

}  // namespace

void show_logs(const ContainerState& state, const LogOptions& options) {
    if (state.log_path.empty())
        throw Error("container " + control::display_name(state) +
                    " has no log: it was not started with -d, so its output went to the terminal "
                    "of the `vessel run` that started it");
    UniqueFd log(::open(state.log_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!log) throw SysError("cannot open the log " + state.log_path, errno);

    // Watch before the first read, so that nothing appended in between goes unnoticed.
    UniqueFd watch, owner;
    if (options.follow && control::observe(state) != LiveStatus::kExited) {
        owner = process::open_pidfd(state.owner);
        watch.reset(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
        if (!watch) throw SysError("inotify_init1", errno);
        if (::inotify_add_watch(watch.get(), state.log_path.c_str(), IN_MODIFY) < 0)
            throw SysError("cannot watch " + state.log_path, errno);
    }

    RecordReader reader(log.get());
    Printer printer(options.timestamps);
    std::vector<Record> records = reader.read_available();
    size_t first = options.tail ? container_log::tail_start(records, *options.tail) : 0;
    for (size_t i = first; i < records.size(); ++i) printer.print(records[i]);
    printer.flush();
    if (!owner) return;  // not following, or nobody left to write

    enum { kGrew, kDone };
    pollfd fds[2] = {{watch.get(), POLLIN, 0}, {owner.get(), POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            throw SysError("poll", errno);
        }
        if (fds[kGrew].revents & POLLIN) {
            char events[4096];
            while (::read(watch.get(), events, sizeof events) > 0) {
            }
        }
        // The monitor exits after its last write: what is in the file then is everything.
        for (const auto& r : reader.read_available()) printer.print(r);
        printer.flush();
        if (fds[kDone].revents & POLLIN) return;
    }
}

}  // namespace vessel
