// libFuzzer target for the image documents vessel reads from archives and registries
// (src/image/manifest.cpp, reference.cpp): index, manifest, config and references. Any input must
// parse or be refused with vessel::Error; a crash, a sanitizer report or any other exception is a
// bug. scripts/test.sh runs it briefly: build-fuzz/image_documents_fuzz -max_total_time=600 DIR
#include <cstddef>
#include <cstdint>
#include <string>

#include "vessel/image/manifest.hpp"
#include "vessel/image/reference.hpp"
#include "vessel/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vessel::image;
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto refused = [](auto&& f) {
        try {
            f();
        } catch (const vessel::Error&) {
            // A clear refusal: what malformed input must get.
        }
    };
    refused([&] { (void)manifest_kind(text, ""); });
    refused([&] { (void)manifest_kind(text, media::kOciManifest); });
    refused([&] {
        Index index = parse_index(text, "");
        (void)choose_platform(index, parse_platform("linux/amd64"));
    });
    refused([&] { (void)parse_manifest(text, ""); });
    refused([&] { (void)parse_config(text); });
    refused([&] { (void)parse_reference(text).canonical(); });
    refused([&] { (void)parse_platform(text); });
    return 0;
}
