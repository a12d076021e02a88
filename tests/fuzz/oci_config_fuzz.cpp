// libFuzzer target for the config.json parser (src/core/oci_config.cpp): any input must either
// parse into a spec that survives state.json's round trip, or be refused with vessel::Error
// (exit 125 for the user). A crash, a sanitizer report, a hang or any other exception escaping
// is a bug. scripts/test.sh runs it briefly; for longer:
//   build-fuzz/oci_config_fuzz -max_total_time=600 CORPUS_DIR
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vessel/core/oci_config.hpp"
#include "vessel/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vessel::oci;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    for (bool lsm : {false, true}) {
        try {
            Config c = parse_config(text, "/bundle", HostFeatures{lsm, lsm});
            c.spec.id = "fuzz";
            nlohmann::json stored = c.spec;
            (void)stored.dump();
            (void)stored.get<vessel::ContainerSpec>();
            for (const auto& m : c.spec.oci_mounts) (void)mount_options(m.options);
            (void)state_json("fuzz", "created", 1, "/bundle", c.annotations).dump();
        } catch (const vessel::Error&) {
            // A clear refusal: what malformed input must get.
        }
    }
    return 0;
}
