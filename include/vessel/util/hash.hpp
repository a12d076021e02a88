// FNV-1a, 64 bits: a small, fast hash for cache keys and for noticing torn files. Not a
// cryptographic hash: nothing here defends against someone who can write vessel's state root
// (only root can, and root needs no tricks).
#pragma once

#include <cstdint>
#include <string_view>

namespace vessel::hash {

inline constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

constexpr uint64_t fnv1a64(std::string_view data, uint64_t seed = kFnvOffset) {
    uint64_t h = seed;
    for (char c : data) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

}  // namespace vessel::hash
