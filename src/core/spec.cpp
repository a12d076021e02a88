#include "vessel/core/spec.hpp"

#include "vessel/util/error.hpp"

namespace vessel {
namespace {

template <typename T>
void put_optional(nlohmann::json& j, const char* key, const std::optional<T>& value) {
    if (value)
        j[key] = *value;
    else
        j[key] = nullptr;
}

template <typename T>
void get_optional(const nlohmann::json& j, const char* key, std::optional<T>& value) {
    auto it = j.find(key);
    if (it == j.end()) return;  // keep the default
    if (it->is_null())
        value.reset();
    else
        value = it->get<T>();
}

// The hooks by stage, in config.json's names.
template <typename F>
void for_each_stage(Hooks& h, F&& f) {
    f("prestart", h.prestart);
    f("createRuntime", h.create_runtime);
    f("createContainer", h.create_container);
    f("startContainer", h.start_container);
    f("poststart", h.poststart);
    f("poststop", h.poststop);
}

}  // namespace

void to_json(nlohmann::json& j, const HookSpec& h) {
    j = {{"path", h.path}, {"args", h.args}, {"env", h.env}};
    put_optional(j, "timeout", h.timeout);
}

void from_json(const nlohmann::json& j, HookSpec& h) {
    j.at("path").get_to(h.path);
    h.args = j.value("args", std::vector<std::string>{});
    h.env = j.value("env", std::vector<std::string>{});
    get_optional(j, "timeout", h.timeout);
}

void to_json(nlohmann::json& j, const OciMount& m) {
    j = {{"destination", m.destination},
         {"type", m.type},
         {"source", m.source},
         {"options", m.options}};
}

void from_json(const nlohmann::json& j, OciMount& m) {
    j.at("destination").get_to(m.destination);
    m.type = j.value("type", "");
    m.source = j.value("source", "");
    m.options = j.value("options", std::vector<std::string>{});
}

void to_json(nlohmann::json& j, const Hooks& h) {
    j = nlohmann::json::object();
    for_each_stage(const_cast<Hooks&>(h), [&](const char* name, std::vector<HookSpec>& hooks) {
        if (!hooks.empty()) j[name] = hooks;
    });
}

void from_json(const nlohmann::json& j, Hooks& h) {
    for_each_stage(h, [&](const char* name, std::vector<HookSpec>& hooks) {
        if (j.contains(name)) j.at(name).get_to(hooks);
    });
}

void to_json(nlohmann::json& j, const CapabilitySets& c) {
    j = {{"bounding", c.bounding},
         {"effective", c.effective},
         {"inheritable", c.inheritable},
         {"permitted", c.permitted},
         {"ambient", c.ambient}};
}

void from_json(const nlohmann::json& j, CapabilitySets& c) {
    c.bounding = j.value("bounding", caps::Mask{0});
    c.effective = j.value("effective", caps::Mask{0});
    c.inheritable = j.value("inheritable", caps::Mask{0});
    c.permitted = j.value("permitted", caps::Mask{0});
    c.ambient = j.value("ambient", caps::Mask{0});
}

std::string to_string(NetworkMode mode) {
    switch (mode) {
        case NetworkMode::kHost:
            return "host";
        case NetworkMode::kBridge:
            return "bridge";
        case NetworkMode::kNone:
            break;
    }
    return "none";
}

NetworkMode network_mode_from_string(const std::string& text) {
    if (text == "none") return NetworkMode::kNone;
    if (text == "host") return NetworkMode::kHost;
    if (text == "bridge") return NetworkMode::kBridge;
    throw Error("unknown network mode \"" + text + "\": use none, host or bridge");
}

void to_json(nlohmann::json& j, const Resources& r) {
    j = nlohmann::json::object();
    put_optional(j, "memory", r.memory);
    put_optional(j, "memory_swap", r.memory_swap);
    put_optional(j, "cpus", r.cpus);
    put_optional(j, "cpu_shares", r.cpu_shares);
    put_optional(j, "cpuset_cpus", r.cpuset_cpus);
    put_optional(j, "pids_limit", r.pids_limit);
}

void from_json(const nlohmann::json& j, Resources& r) {
    get_optional(j, "memory", r.memory);
    get_optional(j, "memory_swap", r.memory_swap);
    get_optional(j, "cpus", r.cpus);
    get_optional(j, "cpu_shares", r.cpu_shares);
    get_optional(j, "cpuset_cpus", r.cpuset_cpus);
    get_optional(j, "pids_limit", r.pids_limit);
}

void to_json(nlohmann::json& j, const ContainerSpec& s) {
    j = {{"id", s.id},
         {"name", s.name},
         {"image", s.image},
         {"image_ref", s.image_ref},
         {"image_id", s.image_id},
         {"stop_signal", s.stop_signal},
         {"exposed_ports", s.exposed_ports},
         {"args", s.args},
         {"env", s.env},
         {"workdir", s.workdir},
         {"user", s.user},
         {"hostname", s.hostname},
         {"tty", s.tty},
         {"interactive", s.interactive},
         {"remove", s.remove},
         {"init", s.init},
         {"read_only", s.read_only},
         {"detach", s.detach},
         {"network", to_string(s.network)},
         {"network_name", s.network_name},
         {"ports", s.ports},
         {"ip", s.ip},
         {"network_aliases", s.network_aliases},
         {"dns", s.dns},
         {"extra_hosts", s.extra_hosts},
         {"data_root", s.data_root},
         {"resources", s.resources},
         {"security", s.security},
         {"mounts", s.mounts},
         {"rootfs", s.rootfs},
         {"oci_mounts", s.oci_mounts},
         {"sysctl", s.sysctl},
         {"hooks", s.hooks},
         {"domainname", s.domainname},
         {"exec_fifo", s.exec_fifo}};
    put_optional(j, "masked_paths", s.masked_paths);
    put_optional(j, "readonly_paths", s.readonly_paths);
    put_optional(j, "oom_score_adj", s.oom_score_adj);
    put_optional(j, "umask", s.umask);
    put_optional(j, "capability_sets", s.capability_sets);
}

void from_json(const nlohmann::json& j, ContainerSpec& s) {
    j.at("id").get_to(s.id);
    j.at("name").get_to(s.name);
    j.at("image").get_to(s.image);
    s.image_ref = j.value("image_ref", "");
    s.image_id = j.value("image_id", "");
    s.stop_signal = j.value("stop_signal", "");
    s.exposed_ports = j.value("exposed_ports", std::vector<std::string>{});
    j.at("args").get_to(s.args);
    j.at("env").get_to(s.env);
    s.workdir = j.value("workdir", "/");
    s.user = j.value("user", "");
    s.hostname = j.value("hostname", "");
    s.tty = j.value("tty", false);
    s.interactive = j.value("interactive", false);
    s.remove = j.value("remove", false);
    s.init = j.value("init", false);
    s.read_only = j.value("read_only", false);
    s.detach = j.value("detach", false);
    s.network = network_mode_from_string(j.value("network", "none"));
    s.network_name = j.value("network_name", "");
    if (j.contains("ports")) j.at("ports").get_to(s.ports);
    s.ip = j.value("ip", "");
    s.network_aliases = j.value("network_aliases", std::vector<std::string>{});
    if (j.contains("dns")) j.at("dns").get_to(s.dns);
    if (j.contains("extra_hosts")) j.at("extra_hosts").get_to(s.extra_hosts);
    s.data_root = j.value("data_root", "");
    if (j.contains("resources")) j.at("resources").get_to(s.resources);
    if (j.contains("security")) j.at("security").get_to(s.security);
    if (j.contains("mounts")) j.at("mounts").get_to(s.mounts);
    s.rootfs = j.value("rootfs", "");
    if (j.contains("oci_mounts")) j.at("oci_mounts").get_to(s.oci_mounts);
    if (j.contains("sysctl")) j.at("sysctl").get_to(s.sysctl);
    if (j.contains("hooks")) j.at("hooks").get_to(s.hooks);
    s.domainname = j.value("domainname", "");
    s.exec_fifo = j.value("exec_fifo", "");
    get_optional(j, "masked_paths", s.masked_paths);
    get_optional(j, "readonly_paths", s.readonly_paths);
    get_optional(j, "oom_score_adj", s.oom_score_adj);
    get_optional(j, "umask", s.umask);
    get_optional(j, "capability_sets", s.capability_sets);
}

}  // namespace vessel
