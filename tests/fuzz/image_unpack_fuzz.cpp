// libFuzzer target for the layer unpacker (src/image/unpacker.cpp, layer_stream.cpp): any byte
// string is fed as a layer (gzip, zstd or plain tar) into a fresh directory under a scratch
// root. It must unpack or be refused with vessel::Error, and never write outside its directory:
// after each input the scratch root holds nothing but the layer's directory. Run as root (device
// nodes and owners are part of what is tested); scripts/test.sh runs it briefly.
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "vessel/image/unpacker.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace {

std::string scratch() {
    static std::string dir = [] {
        char tmpl[] = "/tmp/vessel-unpack-fuzz.XXXXXX";
        if (!::mkdtemp(tmpl)) ::abort();
        static std::string made = tmpl;
        std::atexit([] { vessel::fs::remove_tree(made); });  // libFuzzer exits through exit()
        return made;
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vessel;
    const std::string root = scratch();
    const std::string layer = root + "/layer";
    fs::ensure_dir(layer, 0755);
    size_t pos = 0;
    image::ReadFn source = [&](void* buf, size_t len) -> size_t {
        size_t n = std::min(len, size - pos);
        std::memcpy(buf, data + pos, n);
        pos += n;
        return n;
    };
    image::UnpackLimits limits;
    limits.max_file_bytes = 1 << 20;
    limits.max_layer_bytes = 4 << 20;
    try {
        UniqueFd dir = fs::open_dir(layer);
        (void)image::unpack_layer(source, dir.get(), limits);
    } catch (const Error&) {
    }
    fs::remove_tree(layer);
    // Anything else in the scratch root came out of the layer's directory: a breakout.
    if (::rmdir(root.c_str()) != 0) {
        std::fprintf(stderr, "the layer wrote outside its directory\n");
        ::abort();
    }
    fs::ensure_dir(root, 0700);
    return 0;
}
