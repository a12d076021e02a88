#include "vessel/volumes/copy_up.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "vessel/util/error.hpp"
#include "vessel/util/tree_copy.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::volumes {

void copy_up(int from_dir, const std::string& to) {
    UniqueFd to_fd(::open(to.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!to_fd) throw SysError("cannot open volume directory " + to, errno);
    tree_copy::copy_contents(from_dir, to_fd.get(), {.keep_owner = true});
}

}  // namespace vessel::volumes
