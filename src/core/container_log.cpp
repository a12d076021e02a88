#include "vessel/core/container_log.hpp"

#include "vessel/util/clock.hpp"

namespace vessel::container_log {

std::string format(const Record& r) {
    std::string out = clock::to_rfc3339(r.time_ns);
    out += r.stream == Stream::kStdout ? " stdout " : " stderr ";
    out += r.partial ? "P " : "F ";
    out += r.text;
    out += '\n';
    return out;
}

std::optional<Record> parse(std::string_view line) {
    // TIME SP STREAM SP TAG SP TEXT; TEXT may be empty and may contain spaces.
    size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return std::nullopt;
    size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return std::nullopt;
    Record r;
    r.time_ns = clock::from_rfc3339(std::string(line.substr(0, sp1)));
    if (r.time_ns == 0) return std::nullopt;
    std::string_view stream = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (stream == "stdout")
        r.stream = Stream::kStdout;
    else if (stream == "stderr")
        r.stream = Stream::kStderr;
    else
        return std::nullopt;
    std::string_view rest = line.substr(sp2 + 1);
    if (rest.size() < 2 || (rest[0] != 'F' && rest[0] != 'P') || rest[1] != ' ')
        return std::nullopt;
    r.partial = rest[0] == 'P';
    r.text = std::string(rest.substr(2));
    return r;
}

std::string payload(const Record& r) {
    return r.partial ? r.text : r.text + "\n";
}

std::vector<LineSplitter::Piece> LineSplitter::feed(std::string_view data) {
    std::vector<Piece> out;
    while (!data.empty()) {
        size_t nl = data.find('\n');
        size_t room = kMaxLine - pending_.size();
        if (nl != std::string_view::npos && nl <= room) {
            pending_.append(data.substr(0, nl));
            out.push_back({std::move(pending_), false});
            pending_.clear();
            data.remove_prefix(nl + 1);
            continue;
        }
        if (data.size() < room) {
            pending_.append(data);
            break;
        }
        // A line longer than kMaxLine: out goes a P record of exactly kMaxLine bytes.
        pending_.append(data.substr(0, room));
        out.push_back({std::move(pending_), true});
        pending_.clear();
        data.remove_prefix(room);
    }
    return out;
}

std::optional<LineSplitter::Piece> LineSplitter::flush() {
    if (pending_.empty()) return std::nullopt;
    Piece piece{std::move(pending_), true};
    pending_.clear();
    return piece;
}

size_t tail_start(const std::vector<Record>& records, size_t n) {
    if (n == 0) return records.size();
    size_t lines = 0;
    for (size_t i = records.size(); i-- > 0;) {
        // Record i ends a line if it is an F record, or the very last record of the log.
        bool ends_line = !records[i].partial || i + 1 == records.size();
        if (ends_line && ++lines == n + 1) return i + 1;
    }
    return 0;
}

}  // namespace vessel::container_log
