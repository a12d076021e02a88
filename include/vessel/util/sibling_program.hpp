// vessel's dynamically linked helpers (vessel-registry, vessel-nft) are installed beside the
// vessel binary: they are found there, by the real path of the running program, never on $PATH
// (vessel runs as root; $PATH is the caller's).
#pragma once

#include <string>
#include <string_view>

namespace vessel {

// "<directory of /proc/self/exe>/<name>".
std::string sibling_program(std::string_view name);

}  // namespace vessel
