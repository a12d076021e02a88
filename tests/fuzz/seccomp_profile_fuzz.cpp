// libFuzzer target for the seccomp profile parser (src/core/seccomp_profile.cpp): any input must
// either parse, or be refused with vessel::Error (exit 125 for the user). A crash, a sanitizer
// report, a hang or any other exception escaping is a bug. scripts/test.sh runs it briefly;
// for a longer run: build-fuzz/seccomp_profile_fuzz -max_total_time=600 CORPUS_DIR
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vessel/core/seccomp_profile.hpp"
#include "vessel/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vessel::seccomp_profile;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        Profile profile = parse(text, "fuzz.json");
        Platform amd64;
        amd64.kernel = {6, 1};
        Platform s390x{"SCMP_ARCH_S390X", "s390x", {4, 4}};
        (void)resolve(profile, vessel::caps::docker_default(), amd64, "fuzz.json");
        (void)resolve(profile, vessel::caps::kAllKnown, s390x, "fuzz.json");
        (void)resolve(profile, 0, amd64, "fuzz.json");
    } catch (const vessel::Error&) {
        // A clear refusal: what malformed input must get.
    }
    return 0;
}
