#include "vessel/core/listing.hpp"

#include <algorithm>

#include "vessel/core/ids.hpp"
#include "vessel/util/clock.hpp"

namespace vessel::listing {
namespace {

constexpr size_t kCommandWidth = 20;  // docker's

std::string image_text(const std::string& image, bool no_trunc) {
    if (no_trunc) return image;
    size_t slash = image.find_last_of('/');
    return slash == std::string::npos || slash + 1 == image.size() ? image
                                                                   : image.substr(slash + 1);
}

bool shows_pid(LiveStatus status) {
    return status == LiveStatus::kRunning;
}

// The width of a cell as a terminal shows it: UTF-8 continuation bytes take no column.
size_t columns(const std::string& s) {
    size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

}  // namespace

Row make_row(const ContainerState& s, LiveStatus status, int64_t now_ns, bool no_trunc) {
    Row row;
    row.id = no_trunc ? s.spec.id : s.spec.id.substr(0, ids::kShortLength);
    row.name = s.spec.name;
    row.image = !s.spec.image_ref.empty() ? s.spec.image_ref : image_text(s.spec.image, no_trunc);
    row.command = command_text(s.spec.args, no_trunc ? 0 : kCommandWidth);
    row.created = ago_text(s.created_ns, now_ns);
    row.status = status_text(s, status, now_ns);
    row.pid = shows_pid(status) ? std::to_string(s.init.pid) : "-";
    // Published only while it runs: the teardown unpublishes them.
    if (status == LiveStatus::kRunning)
        for (const auto& p : s.spec.ports)
            row.ports += (row.ports.empty() ? "" : ", ") + format_for_ps(p);
    return row;
}

std::string render_table(const std::vector<Row>& rows) {
    const std::vector<std::string> header = {"CONTAINER ID", "NAME",   "IMAGE", "COMMAND",
                                             "CREATED",      "STATUS", "PORTS", "PID"};
    std::vector<std::vector<std::string>> cells = {header};
    for (const auto& r : rows)
        cells.push_back({r.id, r.name, r.image, r.command, r.created, r.status, r.ports, r.pid});
    std::vector<size_t> width(header.size(), 0);
    for (const auto& line : cells)
        for (size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], columns(line[c]));
    std::string out;
    for (const auto& line : cells) {
        std::string text;
        for (size_t c = 0; c < line.size(); ++c) {
            text += line[c];
            if (c + 1 < line.size()) text += std::string(width[c] - columns(line[c]) + 3, ' ');
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out += text + "\n";
    }
    return out;
}

nlohmann::json to_json(const ContainerState& s, LiveStatus status, int64_t now_ns, bool no_trunc) {
    Row row = make_row(s, status, now_ns, no_trunc);
    nlohmann::json j = {
        {"ID", row.id},
        {"Names", s.spec.name},
        {"Image", !s.spec.image_ref.empty() ? s.spec.image_ref : s.spec.image},
        {"Command", command_text(s.spec.args, no_trunc ? 0 : kCommandWidth)},
        {"CreatedAt", s.created_ns ? nlohmann::json(clock::to_rfc3339(s.created_ns)) : nullptr},
        {"RunningFor", row.created},
        {"Status", row.status},
        {"State", to_string(status)},
        {"Ports", row.ports},
        {"Pid", shows_pid(status) ? nlohmann::json(s.init.pid) : nullptr},
        {"ExitCode", s.exit_code ? nlohmann::json(*s.exit_code) : nullptr},
    };
    return j;
}

void sort_newest_first(std::vector<ContainerState>& states) {
    std::sort(states.begin(), states.end(), [](const ContainerState& a, const ContainerState& b) {
        if (a.created_ns != b.created_ns) return a.created_ns > b.created_ns;
        return a.spec.id < b.spec.id;
    });
}

}  // namespace vessel::listing
