#include "vessel/util/process_title.hpp"

#include <algorithm>
#include <cstring>

namespace vessel::process_title {
namespace {

char* area_begin = nullptr;
size_t area_size = 0;

}  // namespace

void remember(int argc, char** argv) {
    if (argc < 1 || !argv || !argv[0]) return;
    // The kernel lays argv's strings out one after the other; only then is it one area.
    char* end = argv[0] + std::strlen(argv[0]) + 1;
    for (int i = 1; i < argc; ++i) {
        if (argv[i] != end) return;
        end = argv[i] + std::strlen(argv[i]) + 1;
    }
    area_begin = argv[0];
    area_size = static_cast<size_t>(end - argv[0]);
}

void set(std::string_view title) {
    if (!area_begin || area_size == 0) return;
    std::memset(area_begin, 0, area_size);
    std::memcpy(area_begin, title.data(), std::min(title.size(), area_size - 1));
}

}  // namespace vessel::process_title
