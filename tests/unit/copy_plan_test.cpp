#include <gtest/gtest.h>

#include "vessel/core/copy_plan.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;

TEST(CopyPlan, Arguments) {
    auto a = parse_copy_arg("web:/etc/hosts");
    EXPECT_EQ(a.container, "web");
    EXPECT_EQ(a.path, "/etc/hosts");
    EXPECT_FALSE(parse_copy_arg("/tmp/a:b").in_container());
    EXPECT_FALSE(parse_copy_arg("./a:b").in_container());
    EXPECT_FALSE(parse_copy_arg("plain").in_container());
    EXPECT_TRUE(parse_copy_arg("-").stream);
    EXPECT_THROW(parse_copy_arg("web:"), Error);
    EXPECT_THROW(parse_copy_arg(""), Error);
}

TEST(CopyPlan, DockersRules) {
    struct Case {
        const char* src;
        bool src_dir;
        const char* dest;
        std::optional<bool> dest_dir;
        const char* dir;
        const char* name;
    };
    const Case cases[] = {
        // a file
        {"/a/f", false, "/t/new", std::nullopt, "/t", "new"},  // DEST missing: created
        {"/a/f", false, "/t/file", false, "/t", "file"},       // DEST a file: overwritten
        {"/a/f", false, "/t", true, "/t", "f"},                // DEST a dir: into it
        {"/a/f", false, "/t/", true, "/t", "f"},
        // a directory
        {"/a/d", true, "/t/new", std::nullopt, "/t", "new"},  // DEST missing: made, contents in
        {"/a/d", true, "/t", true, "/t", "d"},                // DEST a dir: d copied into it
        {"/a/d/", true, "/t", true, "/t", "d"},
        {"/a/d/.", true, "/t", true, "/t", ""},  // "/.": the contents into DEST
        {"/a/d/.", true, "/t/new", std::nullopt, "/t", "new"},
        {"rel/d", true, "out", std::nullopt, ".", "out"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.src) + " -> " + c.dest);
        auto plan = plan_copy(c.src, c.src_dir, c.dest, c.dest_dir);
        EXPECT_EQ(plan.dir, c.dir);
        EXPECT_EQ(plan.name, c.name);
    }
}

TEST(CopyPlan, DockersErrors) {
    EXPECT_THROW(plan_copy("/a/f/", false, "/t", true), Error);              // file with "/"
    EXPECT_THROW(plan_copy("/a/f", false, "/t/new/", std::nullopt), Error);  // DEST/ missing
    EXPECT_THROW(plan_copy("/a/d", true, "/t/file", false), Error);          // dir onto file
}
