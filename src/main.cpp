// vessel: a small container runtime that shows its work. This file parses the command line and
// turns every failure into one clear line on stderr and docker's exit codes.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstring>

#include "vessel/cli/argv_split.hpp"
#include "vessel/cli/builtin_answers.hpp"
#include "vessel/cli/command.hpp"
#include "vessel/cli/parse_errors.hpp"
#include "vessel/oci/cli.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/log.hpp"
#include "vessel/util/process_title.hpp"

int main(int argc, char** argv) {
    using namespace vessel;
    process_title::remember(argc, argv);  // for --init's PID 1 (util/process_title.hpp)
    // runc's command line (docs/oci.md): as `vessel-oci` (the link engines are pointed at) or
    // as `vessel oci VERB`.
    const char* slash = std::strrchr(argv[0], '/');
    if (std::strcmp(slash ? slash + 1 : argv[0], "vessel-oci") == 0) return oci::main(argc, argv);
    if (argc > 1 && std::strcmp(argv[1], "oci") == 0) return oci::main(argc - 1, argv + 1);
    CLI::App app{"vessel: a small container runtime that shows its work", "vessel"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("vessel ") + VESSEL_VERSION);
    cli::GlobalOptions global;
    app.add_option("--root", global.root, "Directory for container state")->capture_default_str();
    app.add_option("--data-root", global.data_root,
                   "Directory for persistent data: images, volumes and networks (default "
                   "/var/lib/vessel)")
        ->envname("VESSEL_DATA_ROOT");
    app.add_option("--log-level", global.log_level, "Log level: debug, info, warn, error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
        ->capture_default_str();
    auto commands = cli::make_all(app);

    // Split `vessel [global] CMD [options] POSITIONAL COMMAND...` so that the container's command
    // line never reaches CLI11 (argv_split.hpp).
    std::vector<std::string> args(argv + 1, argv + argc);
    size_t sub = cli::first_positional(app, args, 0);
    if (auto answer = cli::answer_builtin(app, args, sub)) return *answer;
    for (auto& command : commands) {
        if (sub >= args.size() || command->app->get_name() != args[sub]) continue;
        if (!command->has_trailing_command()) break;
        size_t positional = cli::first_positional(*command->app, args, sub + 1);
        if (positional < args.size()) {
            command->trailing.assign(args.begin() + static_cast<long>(positional) + 1, args.end());
            args.resize(positional + 1);
        }
    }
    std::vector<char*> parse_argv{argv[0]};
    for (auto& a : args) parse_argv.push_back(a.data());

    try {
        app.parse(static_cast<int>(parse_argv.size()), parse_argv.data());
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string where = "vessel";
        const CLI::App* deepest = &app;
        while (true) {
            auto subs = deepest->get_subcommands();
            if (subs.empty()) break;
            deepest = subs.front();
            where += " " + deepest->get_name();
        }
        std::fprintf(stderr, "vessel: error: %s\n",
                     cli::parse_error_line(e, *deepest, where).c_str());
        return exit_code::kRuntimeError;
    }

    log::setup(global.log_level);
    for (auto& command : commands) {
        if (!command->app->parsed()) continue;
        try {
            return command->execute(global);
        } catch (const Error& e) {
            spdlog::error("{}", e.what());
            return e.exit_code();
        } catch (const std::exception& e) {
            spdlog::error("{}", e.what());
            return exit_code::kRuntimeError;
        }
    }
    return exit_code::kRuntimeError;
}
