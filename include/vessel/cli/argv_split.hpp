// `vessel run [OPTIONS] IMAGE_DIR [COMMAND [ARG...]]`: everything after IMAGE_DIR belongs to the
// command, even when it looks like a vessel option (`vessel run img ls -l --rm`), while an
// unknown option *before* IMAGE_DIR is an error. CLI11 cannot tell these apart by itself, so
// the command line is split at the first positional argument before CLI11 sees it.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace vessel::cli {

// The index in `args` (from `start`) of the first positional argument of `app`: skips options,
// their values ("-e X", "--env=X", "-eX") and bundled flags ("-it"). args.size() if none.
size_t first_positional(const CLI::App& app, const std::vector<std::string>& args, size_t start);

}  // namespace vessel::cli
