#include <gtest/gtest.h>

#include "vessel/core/inspect.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;

namespace {
ContainerState sample() {
    ContainerState s;
    s.spec.id = std::string(64, 'c');
    s.spec.name = "db";
    s.spec.image = "/images/busybox";
    s.spec.args = {"sleep", "1000"};
    s.status = Status::kRunning;
    s.init = {777, 1};
    s.created_ns = 1'000'000'000;
    return s;
}
}  // namespace

TEST(Inspect, DocumentIsShapedLikeDockers) {
    inspect::Observed o;
    o.status = LiveStatus::kRunning;
    o.namespaces = {{"pid", 4026532001}, {"mnt", 4026532002}};
    o.state_dir = "/run/vessel/ccc";
    auto doc = inspect::document(sample(), o);
    EXPECT_EQ(doc["Id"], std::string(64, 'c'));
    EXPECT_EQ(doc["Path"], "sleep");
    EXPECT_EQ(doc["Args"], nlohmann::json::array({"1000"}));
    EXPECT_EQ(doc["State"]["Status"], "running");
    EXPECT_EQ(doc["State"]["Running"], true);
    EXPECT_EQ(doc["State"]["Pid"], 777);
    EXPECT_EQ(doc["State"]["ExitCode"], 0);
    EXPECT_EQ(doc["Namespaces"]["pid"], 4026532001u);
    EXPECT_EQ(doc["Config"]["name"], "db");
    EXPECT_TRUE(doc["LogPath"].is_null());
    o.status = LiveStatus::kExited;
    EXPECT_EQ(inspect::document(sample(), o)["State"]["Pid"], 0);
}

TEST(Inspect, TemplatesLikeDockers) {
    inspect::Observed o;
    o.status = LiveStatus::kRunning;
    auto doc = inspect::document(sample(), o);
    EXPECT_EQ(inspect::render("{{.State.Pid}}", doc), "777");
    EXPECT_EQ(inspect::render("{{ .Name }} is {{.State.Status}}", doc), "db is running");
    EXPECT_EQ(inspect::render("{{json .Args}}", doc), "[\"1000\"]");
    EXPECT_EQ(inspect::render("{{json .Name}}", doc), "\"db\"");
    EXPECT_EQ(inspect::render("no fields", doc), "no fields");
    EXPECT_THROW(inspect::render("{{.State.Nope}}", doc), Error);
    EXPECT_THROW(inspect::render("{{.State.Pid", doc), Error);
    EXPECT_THROW(inspect::render("{{State}}", doc), Error);
}
