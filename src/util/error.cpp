#include "vessel/util/error.hpp"

#include <cstring>

namespace vessel {

std::string errno_text(int err) {
    // strerror() is not thread safe, but vessel never runs threads (docs/architecture.md).
    return std::strerror(err);
}

SysError::SysError(const std::string& what, int err, const std::string& hint)
    : Error(what + ": " + errno_text(err) + (hint.empty() ? "" : "; " + hint)), err_(err) {}

}  // namespace vessel
