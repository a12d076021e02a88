#include <gtest/gtest.h>

#include <sstream>

#include "vessel/core/listing.hpp"
#include "vessel/core/status.hpp"

using namespace vessel;

namespace {
constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kNow = 1'764'398'343 * kSec;

ContainerState sample() {
    ContainerState s;
    s.spec.id = std::string(60, 'a') + "bcde";
    s.spec.name = "web";
    s.spec.image = "/work/rootfs/busybox";
    s.spec.args = {"sleep", "1000"};
    s.created_ns = kNow - 5 * kSec;
    s.started_ns = kNow - 3 * kSec;
    s.init = {4242, 99};
    return s;
}
}  // namespace

TEST(Status, DerivedFromStateAndLiveness) {
    EXPECT_EQ(derive_status(Status::kRunning, {true, true}), LiveStatus::kRunning);
    EXPECT_EQ(derive_status(Status::kRunning, {true, false}), LiveStatus::kRunning);
    EXPECT_EQ(derive_status(Status::kRunning, {false, true}), LiveStatus::kExiting);
    // The owner and PID 1 both gone without a word: never "Up" forever.
    EXPECT_EQ(derive_status(Status::kRunning, {false, false}), LiveStatus::kDead);
    EXPECT_EQ(derive_status(Status::kCreated, {false, true}), LiveStatus::kCreated);
    EXPECT_EQ(derive_status(Status::kCreated, {false, false}), LiveStatus::kDead);
    EXPECT_EQ(derive_status(Status::kExited, {true, true}), LiveStatus::kExited);
}

TEST(Status, DockerTexts) {
    auto s = sample();
    EXPECT_EQ(status_text(s, LiveStatus::kRunning, kNow), "Up 3 seconds");
    EXPECT_EQ(status_text(s, LiveStatus::kRunning, s.started_ns + kSec / 2),
              "Up Less than a second");
    s.exit_code = 137;
    s.finished_ns = kNow - 120 * kSec;
    EXPECT_EQ(status_text(s, LiveStatus::kExited, kNow), "Exited (137) 2 minutes ago");
    EXPECT_EQ(status_text(s, LiveStatus::kCreated, kNow), "Created");
    EXPECT_EQ(status_text(s, LiveStatus::kDead, kNow), "Dead");
    EXPECT_EQ(ago_text(kNow - 5 * kSec, kNow), "5 seconds ago");
    EXPECT_EQ(ago_text(kNow + kSec, kNow), "Less than a second ago");  // clock skew: never negative
    EXPECT_EQ(to_string(LiveStatus::kExiting), "exiting");
}

TEST(Status, CommandIsQuotedAndCutLikeDocker) {
    EXPECT_EQ(command_text({"sleep", "1000"}, 20), "\"sleep 1000\"");
    EXPECT_EQ(command_text({"sh", "-c", "while true; do echo hi; done"}, 20),
              "\"sh -c 'while true; \u2026\"");
    // An argument with a space keeps its quotes, as docker's daemon shows it.
    EXPECT_EQ(command_text({"sh", "-c", "sleep 1"}, 0), "\"sh -c 'sleep 1'\"");
    EXPECT_EQ(command_text({std::string(20, 'x')}, 20), "\"" + std::string(20, 'x') + "\"");
    // Characters, not bytes: é is two bytes and is never split.
    EXPECT_EQ(command_text({"\u00e9\u00e9\u00e9\u00e9"}, 3), "\"\u00e9\u00e9\u2026\"");
    EXPECT_EQ(command_text({"a", "b"}, 0), "\"a b\"");
}

TEST(Listing, TableHasDockersColumnsAndAlignment) {
    auto s = sample();
    auto row = listing::make_row(s, LiveStatus::kRunning, kNow, false);
    EXPECT_EQ(row.id, std::string(12, 'a'));
    EXPECT_EQ(row.image, "busybox");
    EXPECT_EQ(row.pid, "4242");
    EXPECT_EQ(row.created, "5 seconds ago");
    auto exited = s;
    exited.spec.name = "a-much-longer-name";
    exited.exit_code = 0;
    exited.finished_ns = kNow;
    auto row2 = listing::make_row(exited, LiveStatus::kExited, kNow, false);
    EXPECT_EQ(row2.pid, "-");
    std::string table = listing::render_table({row, row2});
    std::istringstream in(table);
    std::string header, first, second;
    std::getline(in, header);
    std::getline(in, first);
    std::getline(in, second);
    EXPECT_TRUE(header.starts_with("CONTAINER ID   NAME"));
    // Every column starts at the same offset on every line.
    EXPECT_EQ(header.find("IMAGE"), first.find("busybox"));
    EXPECT_EQ(first.find("busybox"), second.find("busybox"));
    EXPECT_EQ(header.find("PID"), first.find("4242"));
    auto full = listing::make_row(s, LiveStatus::kRunning, kNow, true);
    EXPECT_EQ(full.id, s.spec.id);
    EXPECT_EQ(full.image, s.spec.image);
}

TEST(Listing, JsonUsesDockersKeys) {
    auto s = sample();
    auto j = listing::to_json(s, LiveStatus::kRunning, kNow, false);
    EXPECT_EQ(j["ID"], std::string(12, 'a'));
    EXPECT_EQ(j["Names"], "web");
    EXPECT_EQ(j["State"], "running");
    EXPECT_EQ(j["Status"], "Up 3 seconds");
    EXPECT_EQ(j["Pid"], 4242);
    EXPECT_TRUE(j["ExitCode"].is_null());
    // One line per container.
    EXPECT_EQ(j.dump().find('\n'), std::string::npos);
}

TEST(Listing, NewestFirst) {
    std::vector<ContainerState> v(3, sample());
    v[0].created_ns = 1;
    v[1].created_ns = 3;
    v[2].created_ns = 2;
    listing::sort_newest_first(v);
    EXPECT_EQ(v[0].created_ns, 3);
    EXPECT_EQ(v[2].created_ns, 1);
}
