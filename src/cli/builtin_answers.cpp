#include "vessel/cli/builtin_answers.hpp"

#include <cstdio>

namespace vessel::cli {
namespace {

void list_commands(CLI::App& app, FILE* out) {
    std::fprintf(out,
                 "Usage: vessel [--root DIR] [--data-root DIR] [--log-level LEVEL] COMMAND\n\n");
    std::fprintf(out, "Commands:\n");
    for (auto* sub : app.get_subcommands([](CLI::App*) { return true; }))
        std::fprintf(out, "  %-10s%s\n", sub->get_name().c_str(), sub->get_description().c_str());
    std::fprintf(out, "  %-10s%s\n", "help", "Show the help of a command: vessel help COMMAND");
    std::fprintf(out, "  %-10s%s\n", "version", "Show vessel's version");
    std::fprintf(out,
                 "\nRun 'vessel COMMAND --help' for a command's options (docs/commands.md).\n");
}

CLI::App* find(CLI::App& app, const std::string& name) {
    for (auto* sub : app.get_subcommands([](CLI::App*) { return true; }))
        if (sub->get_name() == name || sub->check_name(name)) return sub;
    return nullptr;
}

}  // namespace

std::optional<int> answer_builtin(CLI::App& app, const std::vector<std::string>& args,
                                  size_t command_at) {
    if (command_at >= args.size()) {
        // Bare `vessel` (global options aside, unless one asks for help or the version).
        for (const auto& a : args)
            if (a == "-h" || a == "--help" || a == "--help-all" || a == "--version")
                return std::nullopt;
        list_commands(app, stdout);
        return 0;
    }
    const std::string& name = args[command_at];
    if (name == "version") {
        std::printf("vessel %s\n", VESSEL_VERSION);
        return 0;
    }
    if (name == "help") {
        if (command_at + 1 >= args.size()) {
            list_commands(app, stdout);
            return 0;
        }
        if (CLI::App* sub = find(app, args[command_at + 1])) {
            std::printf("%s", sub->help().c_str());
            return 0;
        }
        std::fprintf(stderr, "vessel: error: no help for '%s': it is not a vessel command\n\n",
                     args[command_at + 1].c_str());
        list_commands(app, stderr);
        return 125;
    }
    if (!find(app, name)) {
        std::fprintf(stderr, "vessel: error: '%s' is not a vessel command\n\n", name.c_str());
        list_commands(app, stderr);
        return 125;
    }
    return std::nullopt;
}

}  // namespace vessel::cli
