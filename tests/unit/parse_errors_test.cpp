#include <gtest/gtest.h>

#include "vessel/cli/parse_errors.hpp"

namespace {

// Parses `args` with a small app shaped like vessel's; returns the line vessel would print.
std::string line_for(std::vector<std::string> args) {
    CLI::App app{"vessel", "vessel"};
    app.require_subcommand(1);
    std::string root, level;
    app.add_option("--root", root);
    app.add_option("--log-level", level)->check(CLI::IsMember({"debug", "warn"}));
    auto* stop = app.add_subcommand("stop", "");
    double seconds = 10;
    std::vector<std::string> containers;
    stop->add_option("-t,--time", seconds)
        ->check(CLI::Range(0.0, std::numeric_limits<double>::max()));
    stop->add_option("CONTAINER", containers)->required();
    auto* volume = app.add_subcommand("volume", "");
    volume->require_subcommand(1);
    std::string name;
    volume->add_subcommand("create", "")->add_option("NAME", name);
    volume->add_subcommand("ls", "");
    auto* pct = app.add_subcommand("limit", "");
    int percent = 0;
    pct->add_option("--percent", percent)->check(CLI::Range(0, 100));
    std::reverse(args.begin(), args.end());
    try {
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        const CLI::App* deepest = &app;
        std::string where = "vessel";
        while (!deepest->get_subcommands().empty()) {
            deepest = deepest->get_subcommands().front();
            where += " " + deepest->get_name();
        }
        return vessel::cli::parse_error_line(e, *deepest, where);
    }
    return "<parsed>";
}

}  // namespace

TEST(ParseErrors, OneLineInVesselsWords) {
    EXPECT_EQ(line_for({"stop", "--time", "-1", "x"}),
              "invalid --time \"-1\": use a number of 0 or more (see 'vessel stop --help')");
    EXPECT_EQ(line_for({"limit", "--percent", "200"}),
              "invalid --percent \"200\": use a number from 0 to 100 (see 'vessel limit --help')");
    EXPECT_EQ(line_for({"--root", "a", "--root", "b", "stop", "x"}),
              "--root was given 2 times: give it once (see 'vessel stop --help')");
    EXPECT_EQ(line_for({"--log-level", "loud", "stop", "x"}),
              "invalid --log-level \"loud\": use one of debug, warn (see 'vessel stop --help')");
    EXPECT_EQ(line_for({"stop", "-v", "x"}),
              "'vessel stop' has no option -v (see 'vessel stop --help')");
    EXPECT_EQ(line_for({"stop"}), "'vessel stop' needs CONTAINER (see 'vessel stop --help')");
    EXPECT_EQ(line_for({"volume"}),
              "'vessel volume' needs a command: create, ls (see 'vessel volume --help')");
    EXPECT_EQ(line_for({"volume", "create", "a", "b"}),
              "'vessel volume create' takes no argument \"b\" here (see 'vessel volume create "
              "--help')");
    EXPECT_EQ(line_for({"stop", "--time", "abc", "x"}).find("Value"), std::string::npos);
}
