#include "vessel/launch/confinement.hpp"
#include "vessel/linux/seccomp_cache.hpp"

#include <linux/close_range.h>
#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

#include "vessel/linux/capabilities.hpp"
#include "vessel/linux/privileges.hpp"
#include "vessel/linux/rlimits.hpp"
#include "vessel/linux/users.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel::confinement {
namespace {

using explain::Chapter;

// Whether the filter has been installed in this process (it must be, exactly once).
bool seccomp_loaded = false;

void load_seccomp(const Plan& plan) {
    if (!plan.seccomp || seccomp_loaded) return;
    seccomp::load(*plan.seccomp);
    seccomp_loaded = true;
}

}  // namespace

std::optional<seccomp::Program> compile_seccomp(const Security& security,
                                                const std::string& cache_dir,
                                                std::string* cached_file) {
    if (!security.seccomp_enabled()) {
        explain::step(Chapter::kSeccomp, "seccomp=unconfined", "-",
                      security.privileged ? "--privileged: no filter" : "no filter, as asked");
        return std::nullopt;
    }
    const bool custom = security.seccomp != "default";
    const std::string_view text = custom ? std::string_view(security.seccomp_profile)
                                         : seccomp_profile::docker_default_text();
    const std::string source = custom ? security.seccomp : "default (Docker's)";
    auto platform = seccomp_profile::native_platform_defaults();
    platform.kernel = seccomp::kernel_version();
#if defined(__x86_64__)
    platform.x32_abi = seccomp::kernel_has_x32_abi();
#endif

    // A program compiled by an earlier start from the very same inputs (seccomp_cache.hpp).
    std::string cache_path;
    if (!cache_dir.empty()) {
        cache_path =
            cache_dir + "/" + seccomp_cache::file_name(text, security.capabilities, platform);
        if (auto cached = seccomp_cache::load(cache_path)) {
            explain::step(Chapter::kSeccomp, fmt::format("read({})", explain::quote(cache_path)),
                          fmt::format("{} BPF instructions", cached->code.size()),
                          fmt::format("profile {}, compiled by an earlier start", source));
            if (cached_file) *cached_file = cache_path;
            return cached;
        }
    }

    const auto start = std::chrono::steady_clock::now();
    auto profile = seccomp_profile::parse(text, source);
    auto resolved = seccomp_profile::resolve(profile, security.capabilities, platform, source);
    auto program = seccomp::compile(resolved);
    explain::step(Chapter::kSeccomp, fmt::format("seccomp_export_bpf(profile {})", source),
                  fmt::format("{} BPF instructions", program.code.size()),
                  fmt::format("parsed, resolved for our capabilities and compiled in {:.2f}ms{}{}",
                              std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - start)
                                  .count(),
                              resolved.left_out_x32 ? "; x32 left out (this kernel has none)" : "",
                              program.skipped.empty()
                                  ? ""
                                  : fmt::format("; {} calls unknown to libseccomp keep the default",
                                                program.skipped.size())));
    if (!cache_path.empty() && seccomp_cache::store(cache_path, program) && cached_file)
        *cached_file = cache_path;
    return program;
}

Plan prepare(const ContainerSpec& spec, const ResolvedUser& user,
             std::optional<seccomp::Program> compiled, const std::string& cache_dir) {
    const Security& s = spec.security;
    Plan plan;
    plan.user = user;
    plan.capabilities = s.capabilities;
    plan.no_new_privs = s.no_new_privileges;
    plan.ulimits = s.ulimits;
    plan.privileged = s.privileged;
    plan.seccomp = compiled && s.seccomp_enabled()
                       ? std::move(compiled)
                       : compile_seccomp(s, cache_dir, &plan.seccomp_file);
    plan.devices = devices::resolve_requests(s.devices);
    auto extra = devices::rules_for(plan.devices, s.devices);
    if (s.privileged) {
        auto host = devices::host_devices();
        plan.devices.insert(plan.devices.end(), host.begin(), host.end());
    }
    plan.device_rules = device_rules(s, extra);
    return plan;
}

void apply(const Plan& plan) {
    explain::section("confinement: rlimits, capabilities, user, no_new_privs, seccomp");
    rlimits::apply(0, plan.ulimits);
    capabilities::limit_bounding_set(plan.capabilities);
    // Without no_new_privs only CAP_SYS_ADMIN may install a filter: do it while we have it.
    if (!plan.no_new_privs) load_seccomp(plan);
    users::switch_to(plan.user);
    capabilities::set_process_sets(plan.capabilities, plan.user.uid == 0);
    if (plan.no_new_privs) privileges::set_no_new_privs();
}

// Everything above fd 2 is marked close-on-exec, so no descriptor of vessel's (state dir, cgroup,
// the host's terminal...) survives into the command (CVE-2024-21626). CLOEXEC rather than close:
// the handshake socket must stay open until execve succeeds, to report a failed execve.
void seal_before_exec(const Plan& plan) {
    long rc = ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    int err = errno;
    explain::syscall(Chapter::kSecurity, "close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)", rc, err,
                     "no fd of vessel's reaches the command");
    if (rc != 0) throw SysError("close_range", err);
    load_seccomp(plan);
}

}  // namespace vessel::confinement
