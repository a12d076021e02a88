// What vessel answers before parsing a command: bare `vessel`, `vessel help [COMMAND]`,
// `vessel version`, and a command it does not know (named, with the list of those it does),
// instead of CLI11's "A subcommand is required".
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace vessel::cli {

// `args` is argv without argv[0]; `command_at` the index of the first positional argument (the
// command's name), args.size() when there is none. Returns the exit status when it answered.
std::optional<int> answer_builtin(CLI::App& app, const std::vector<std::string>& args,
                                  size_t command_at);

}  // namespace vessel::cli
