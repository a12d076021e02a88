#include "vessel/util/sibling_program.hpp"

#include "vessel/util/fs.hpp"

namespace vessel {

std::string sibling_program(std::string_view name) {
    const std::string self = fs::real_path("/proc/self/exe");
    return self.substr(0, self.rfind('/') + 1) + std::string(name);
}

}  // namespace vessel
