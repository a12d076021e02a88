#include "vessel/linux/seccomp_cache.hpp"

#include <seccomp.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/hash.hpp"

namespace vessel::seccomp_cache {

std::string directory(const std::string& state_root) {
    return state_root + "/.cache/seccomp";
}

std::string file_name(std::string_view profile_text, caps::Mask capabilities,
                      const seccomp_profile::Platform& platform) {
    const scmp_version* lib = seccomp_version();
    // Everything the compiled program depends on, and the versions of what compiles it.
    std::string inputs = fmt::format(
        "vessel {} r{} libseccomp {}.{}.{} arch {} x32 {} kernel {}.{} caps {:#x} profile {:016x}",
        VESSEL_VERSION, seccomp::kCompileRevision, lib ? lib->major : 0, lib ? lib->minor : 0,
        lib ? lib->micro : 0, platform.scmp_arch, platform.x32_abi, platform.kernel.first,
        platform.kernel.second, capabilities, hash::fnv1a64(profile_text));
    return fmt::format("{:016x}.bpf", hash::fnv1a64(inputs));
}

std::optional<seccomp::Program> load(const std::string& path) {
    std::optional<std::string> bytes;
    try {
        bytes = fs::try_read_file(path);
    } catch (const SysError&) {
        return std::nullopt;
    }
    if (!bytes) return std::nullopt;
    return seccomp::deserialize(*bytes);
}

bool store(const std::string& path, const seccomp::Program& program) {
    try {
        // <root>/.cache/seccomp/<file>: the state root too, on the very first start.
        const std::string dir = path.substr(0, path.rfind('/'));
        const std::string cache = dir.substr(0, dir.rfind('/'));
        fs::ensure_dir(cache.substr(0, cache.rfind('/')), 0711);
        fs::ensure_dir(cache, 0700);
        fs::ensure_dir(dir, 0700);
        fs::write_file_atomic(path, seccomp::serialize(program));
        return true;
    } catch (const Error&) {
        return false;
    }
}

void keep(const std::string& state_dir, const seccomp::Program& program,
          const std::string& cached_file) {
    const std::string path = state_dir + "/" + kKeptName;
    if (!cached_file.empty() && ::link(cached_file.c_str(), path.c_str()) == 0) return;
    fs::write_file_atomic(path, seccomp::serialize(program));
}

std::optional<seccomp::Program> load_kept(const std::string& state_dir) {
    const std::string path = state_dir + "/" + kKeptName;
    auto program = load(path);
    if (program)
        explain::step(explain::Chapter::kSeccomp, fmt::format("read({})", explain::quote(path)),
                      fmt::format("{} BPF instructions", program->code.size()),
                      "the container's filter, compiled once by vessel run");
    return program;
}

}  // namespace vessel::seccomp_cache
