// CLI11's parse errors in vessel's words: one line that names the option and says what to type
// ("invalid --time \"-1\": use a number of 0 or more"), not CLI11's internals ("Value -1 not in
// range 0.000000 to 1797...", "At Most 1 required but received 2").
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace vessel::cli {

// `command` is the deepest parsed (sub)command, e.g. the app of `vessel volume create`;
// `where` its full name, "vessel volume create".
std::string parse_error_line(const CLI::ParseError& error, const CLI::App& command,
                             const std::string& where);

}  // namespace vessel::cli
