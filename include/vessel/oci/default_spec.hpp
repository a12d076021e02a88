// `vessel-oci spec [--rootless]`: the config.json runc writes for a new bundle (the same
// namespaces, mounts, capabilities, masked paths), with this runtime-spec's version. Engines
// never call it; people and tests do, then edit it (docs/oci.md).
#pragma once

#include <nlohmann/json.hpp>

namespace vessel::oci {

// `rootless`: a user namespace mapping `uid`/`gid` to root, no network namespace, /sys bound
// from the host, as `runc spec --rootless` does.
nlohmann::json default_spec(bool rootless, unsigned uid = 0, unsigned gid = 0);

}  // namespace vessel::oci
