// Logging through spdlog: one synchronous stderr logger (no threads, so it is safe to use in the
// child between clone and execve), "vessel: error: ..." lines for the user, debug lines on demand.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace vessel::log {

// Installs the default logger. `level` is a spdlog level name: trace, debug, info, warn, error.
void setup(std::string_view level);

// Sends the log to a file instead of stderr (the detached monitor has no terminal).
void redirect_to_file(const std::string& path);

}  // namespace vessel::log
