// The security flags of `vessel run` (and later `create`): --privileged, --cap-add, --cap-drop,
// --security-opt, --ulimit, --device, --userns. Registered here so run.cpp stays short; parsed
// into a Security by src/core/security.cpp (docs/security.md).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "vessel/core/security.hpp"

namespace vessel::cli {

struct SecurityFlags {
    bool privileged = false;
    std::vector<std::string> cap_add, cap_drop, security_opt, ulimit, device;
    std::string userns;

    // Adds the flags to `app`.
    void add_to(CLI::App& app);
    // The Security they ask for (profiles read from disk here). Throws Error (exit 125).
    Security to_security() const;
    // Combinations with other flags that cannot work. Throws Error (exit 125).
    void check_with(const std::string& network) const;
};

}  // namespace vessel::cli
