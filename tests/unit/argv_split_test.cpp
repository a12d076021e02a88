#include <gtest/gtest.h>

#include "vessel/cli/argv_split.hpp"

using vessel::cli::first_positional;

namespace {
struct Fixture {
    CLI::App app;
    std::string s;
    std::vector<std::string> v;
    bool b = false;
    Fixture() {
        app.add_option("--name", s);
        app.add_option("-e,--env", v);
        app.add_flag("-i", b);
        app.add_flag("-t", b);
        app.add_flag("--rm", b);
        app.add_option("IMAGE", s);
    }
};
}  // namespace

TEST(ArgvSplit, SkipsOptionsAndTheirValues) {
    Fixture f;
    std::vector<std::string> args = {"--rm", "--name", "web", "-e", "A=1", "img", "ls", "-l"};
    EXPECT_EQ(first_positional(f.app, args, 0), 5u);
}

TEST(ArgvSplit, AttachedValuesAndBundledFlags) {
    Fixture f;
    std::vector<std::string> args = {"-it", "--name=web", "-eA=1", "--env=B=2", "img", "--rm"};
    EXPECT_EQ(first_positional(f.app, args, 0), 4u);
    std::vector<std::string> bundled = {"-ie", "A=1", "img"};
    EXPECT_EQ(first_positional(f.app, bundled, 0), 2u);
}

TEST(ArgvSplit, DoubleDashEndsOptions) {
    Fixture f;
    std::vector<std::string> args = {"--rm", "--", "-img"};
    EXPECT_EQ(first_positional(f.app, args, 0), 2u);
}

TEST(ArgvSplit, NoPositional) {
    Fixture f;
    std::vector<std::string> args = {"--rm", "-e", "A=1"};
    EXPECT_EQ(first_positional(f.app, args, 0), 3u);
}
