// Every flag of every command is documented in docs/commands.md (issue 13: the reference had
// fallen behind the CLI). The check reads the CLI's own definitions, so a new flag without a
// line in the reference fails here.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "vessel/cli/command.hpp"

namespace {

std::string read_reference() {
    std::ifstream in(std::string(VESSEL_SOURCE_DIR) + "/docs/commands.md");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The section of the reference for `vessel NAME` (up to the next "## ").
std::string section(const std::string& doc, const std::string& name) {
    auto at = doc.find("## vessel " + name + "\n");
    if (at == std::string::npos) return "";
    auto end = doc.find("\n## ", at + 1);
    return doc.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

void check_options(const CLI::App& app, const std::string& text, const std::string& where,
                   std::vector<std::string>& missing) {
    for (const CLI::Option* opt : app.get_options()) {
        if (opt->get_name() == "--help" || opt->get_name() == "-h,--help") continue;
        for (const auto& l : opt->get_lnames())
            if (l != "help" && text.find("--" + l) == std::string::npos)
                missing.push_back(where + " --" + l);
        for (const auto& s : opt->get_snames())
            if (s != "h" && text.find("-" + s + ",") == std::string::npos &&
                text.find("-" + s + " ") == std::string::npos &&
                text.find("`-" + s + "`") == std::string::npos)
                missing.push_back(where + " -" + s);
    }
}

}  // namespace

TEST(CommandsDoc, EveryCommandAndFlagIsDocumented) {
    CLI::App app{"vessel", "vessel"};
    vessel::cli::GlobalOptions global;
    app.add_option("--root", global.root);
    app.add_option("--data-root", global.data_root);
    app.add_option("--log-level", global.log_level);
    auto commands = vessel::cli::make_all(app);
    const std::string doc = read_reference();
    ASSERT_FALSE(doc.empty()) << "docs/commands.md not found";
    std::vector<std::string> missing;
    check_options(app, doc.substr(0, doc.find("\n## ")), "vessel", missing);
    for (auto& command : commands) {
        const std::string name = command->app->get_name();
        const std::string text = section(doc, name);
        if (text.empty()) {
            missing.push_back("the section \"## vessel " + name + "\"");
            continue;
        }
        check_options(*command->app, text, name, missing);
        for (const CLI::App* sub : command->app->get_subcommands({}))
            check_options(*sub, text, name + " " + sub->get_name(), missing);
    }
    std::string list;
    for (const auto& m : missing) list += "\n  " + m;
    EXPECT_TRUE(missing.empty()) << "not in docs/commands.md:" << list;
}
