// Runs vessel-nft, the helper beside vessel that applies nft scripts through libnftables
// (src/nft/main.cpp).
#pragma once

#include <string>

namespace vessel::network::nft {

struct HelperResult {
    bool ok = false;
    std::string output;  // stdout: the JSON of --list
    std::string error;   // stderr: libnftables' message, the failing command underlined
};

// Applies `script` as one transaction. Traces it for --explain as the `nft -f -` it amounts to.
// Throws SysError only when the helper cannot be started; a refused script is !ok.
HelperResult apply(const std::string& script, const std::string& why);

// `vessel-nft --list`: the table as JSON (!ok when it does not exist yet).
HelperResult list();

}  // namespace vessel::network::nft
