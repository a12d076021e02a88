#include "vessel/linux/inherited_fds.hpp"

#include <linux/close_range.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::inherited_fds {
namespace {

bool is_directory(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

// close_range(first, last) as a traced step; the kernel closes the whole range in one call.
void close_range_traced(unsigned first, unsigned last) {
    if (first > last) return;
    long rc = ::close_range(first, last, 0);
    int err = errno;
    explain::syscall(explain::Chapter::kSecurity,
                     last == ~0U ? fmt::format("close_range({}, ~0U, 0)", first)
                                 : fmt::format("close_range({}, {}, 0)", first, last),
                     rc, err, "no host descriptor is left to lead out of the root");
    if (rc != 0) throw SysError("close_range", err);
}

}  // namespace

void close_all_except(std::vector<int> keep) {
    std::erase_if(keep, [](int fd) { return fd <= 2; });
    std::sort(keep.begin(), keep.end());
    keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
    // Close the gaps between the kept descriptors: [3, keep0-1], [keep0+1, keep1-1], ..., [last+1,
    // ~0].
    unsigned next = 3;
    for (int fd : keep) {
        if (static_cast<unsigned>(fd) > next)
            close_range_traced(next, static_cast<unsigned>(fd) - 1);
        next = static_cast<unsigned>(fd) + 1;
    }
    close_range_traced(next, ~0U);
}

void refuse_directories(std::initializer_list<int> fds) {
    static constexpr const char* kStdio[] = {"stdin", "stdout", "stderr"};
    for (int fd : fds) {
        if (fd < 0 || !is_directory(fd)) continue;
        throw Error(fmt::format(
            "the container's {} is a directory; refused, as it would lead out of the container's "
            "root (redirect it from a file or a pipe)",
            fd <= 2 ? kStdio[fd] : fmt::format("descriptor {}", fd)));
    }
}

}  // namespace vessel::inherited_fds
