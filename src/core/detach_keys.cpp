#include "vessel/core/detach_keys.hpp"

namespace vessel {

std::string DetachKeys::filter(std::string_view input, bool& detach) {
    std::string out;
    for (char c : input) {
        if (held_) {
            held_ = false;
            if (c == kSecond) {
                detach = true;
                return out;
            }
            out += kFirst;
        }
        if (c == kFirst)
            held_ = true;
        else
            out += c;
    }
    return out;
}

}  // namespace vessel
