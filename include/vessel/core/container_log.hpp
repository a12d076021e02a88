// A detached container's log (docs/lifecycle.md): what its command wrote to stdout and stderr,
// one record per line, in the format containerd and CRI-O write for Kubernetes (the "CRI" log
// format):
//
//   2025-11-29T06:39:03.123456789Z stdout F hello world
//   2025-11-29T06:39:03.123501234Z stderr P a prompt without newline:
//
// time (RFC 3339, UTC, nanoseconds), stream, F when the line ended with a newline or P when it is
// partial (more of the same line may follow in the next record), then the bytes themselves.
// Plain text, so `cat` and `grep` work on it, and byte-exact: the newline, the only byte that
// would need escaping, is the record separator and is recorded as the F tag instead.
// Kernel-free; the monitor appends records (launch/log_relay.hpp), `vessel logs` reads them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vessel::container_log {

enum class Stream { kStdout, kStderr };

struct Record {
    int64_t time_ns = 0;
    Stream stream = Stream::kStdout;
    bool partial = false;  // P: the text did not end with a newline
    std::string text;      // without the newline
};

// One line of the log file, newline included.
std::string format(const Record& record);
// One line of the log file (without its newline); nullopt when it is not a record.
std::optional<Record> parse(std::string_view line);
// What the command wrote: the text, plus the newline for F records.
std::string payload(const Record& record);

// Cuts one stream's bytes into lines as they arrive. Complete lines come out of feed(); the rest
// waits for its newline, unless it grows past kMaxLine or the caller flushes it (a prompt that
// will never get a newline should not wait forever: the monitor flushes after a short pause).
class LineSplitter {
  public:
    static constexpr size_t kMaxLine = 16 * 1024;  // docker's json-file splits lines at 16 KiB

    struct Piece {
        std::string text;
        bool partial;
    };
    std::vector<Piece> feed(std::string_view data);
    // The pending partial line, if any, as a P piece.
    std::optional<Piece> flush();
    bool pending() const { return !pending_.empty(); }

  private:
    std::string pending_;
};

// The index of the first record to show for `--tail n`: the last n lines, where a line is a
// run of P records ended by an F record (or by the end of the log).
size_t tail_start(const std::vector<Record>& records, size_t n);

}  // namespace vessel::container_log
