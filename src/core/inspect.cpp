#include "vessel/core/inspect.hpp"

#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"

namespace vessel::inspect {
namespace {

nlohmann::json time_or_null(int64_t ns) {
    return ns ? nlohmann::json(clock::to_rfc3339(ns)) : nlohmann::json(nullptr);
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t");
    size_t e = s.find_last_not_of(" \t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// ".State.Pid" -> doc["State"]["Pid"]; "." -> doc.
const nlohmann::json& lookup(const nlohmann::json& doc, const std::string& path,
                             const std::string& tmpl) {
    if (path.empty() || path[0] != '.')
        throw Error("cannot read the template \"" + tmpl +
                    "\": fields start with '.', as in {{.State.Pid}}");
    const nlohmann::json* node = &doc;
    size_t pos = 1;
    while (pos < path.size()) {
        size_t dot = path.find('.', pos);
        std::string key =
            path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
        if (!node->is_object() || !node->contains(key))
            throw Error("the template \"" + tmpl + "\" names a field that does not exist: " + path);
        node = &(*node)[key];
        if (dot == std::string::npos) break;
        pos = dot + 1;
    }
    return *node;
}

// docker's NetworkSettings: the address while the container holds one (the teardown releases it
// when the container ends), and the published ports as {"80/tcp": [{HostIp, HostPort}]}.
nlohmann::json network_settings(const ContainerState& s) {
    nlohmann::json ports = nlohmann::json::object();
    for (const auto& p : s.spec.ports) {
        const std::string key = std::to_string(p.container_port) + "/" + p.protocol;
        if (!ports.contains(key)) ports[key] = nlohmann::json::array();
        if (s.network)
            ports[key].push_back({{"HostIp", p.host_ip.empty() ? "0.0.0.0" : p.host_ip},
                                  {"HostPort", std::to_string(p.host_port)}});
    }
    const NetworkAttachment none;
    const NetworkAttachment& a = s.network ? *s.network : none;
    nlohmann::json networks = nlohmann::json::object();
    if (s.spec.network == NetworkMode::kBridge)
        networks[s.spec.network_name] = {
            {"NetworkID", a.network_id}, {"IPAddress", a.ip},
            {"IPPrefixLen", a.prefix},   {"Gateway", a.gateway},
            {"MacAddress", a.mac},       {"Aliases", s.spec.network_aliases}};
    else
        networks[to_string(s.spec.network)] = nlohmann::json::object();
    return {{"IPAddress", a.ip},   {"IPPrefixLen", a.prefix}, {"Gateway", a.gateway},
            {"MacAddress", a.mac}, {"Bridge", a.bridge},      {"Ports", ports},
            {"Networks", networks}};
}

}  // namespace

nlohmann::json document(const ContainerState& s, const Observed& o) {
    const bool running = o.status == LiveStatus::kRunning;
    nlohmann::json args = nlohmann::json::array();
    for (size_t i = 1; i < s.spec.args.size(); ++i) args.push_back(s.spec.args[i]);
    nlohmann::json namespaces = nlohmann::json::object();
    for (const auto& [name, inode] : o.namespaces) namespaces[name] = inode;
    return {
        {"Id", s.spec.id},
        {"Name", s.spec.name},
        {"Created", time_or_null(s.created_ns)},
        {"Path", s.spec.args.empty() ? "" : s.spec.args[0]},
        {"Args", args},
        {"Image", !s.spec.image_ref.empty() ? s.spec.image_ref : s.spec.image},
        {"ImageID", s.spec.image_id},
        {"StopSignal", s.spec.stop_signal},
        {"ExposedPorts", s.spec.exposed_ports},
        {"HostConfig",
         {{"NetworkMode", s.spec.network == NetworkMode::kBridge ? s.spec.network_name
                                                                 : to_string(s.spec.network)}}},
        {"NetworkSettings", network_settings(s)},
        {"State",
         {{"Status", running && s.paused ? "paused" : to_string(o.status)},
          {"Running", running},
          {"Paused", running && s.paused},
          {"Dead", o.status == LiveStatus::kDead},
          {"Pid", running ? s.init.pid : 0},
          // docker reports 0 until the container has exited.
          {"ExitCode", s.exit_code.value_or(0)},
          {"OOMKilled", s.oom_killed},
          {"StartedAt", time_or_null(s.started_ns)},
          {"FinishedAt", time_or_null(s.finished_ns)}}},
        {"Monitor",
         {{"Pid", s.owner.pid},
          {"Alive", o.owner_alive},
          {"Kind", s.spec.detach ? "monitor (run -d)" : "foreground vessel run"}}},
        {"Config", s.spec},
        {"Limits", s.spec.resources},
        {"Namespaces", namespaces},
        {"Cgroup", s.cgroup},
        {"LogPath", s.log_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.log_path)},
        {"StateDir", o.state_dir},
    };
}

std::string render(const std::string& tmpl, const nlohmann::json& doc) {
    std::string out;
    size_t pos = 0;
    for (;;) {
        size_t open = tmpl.find("{{", pos);
        if (open == std::string::npos) {
            out += tmpl.substr(pos);
            break;
        }
        size_t close = tmpl.find("}}", open + 2);
        if (close == std::string::npos)
            throw Error("cannot read the template \"" + tmpl + "\": a {{ without its }}");
        out += tmpl.substr(pos, open - pos);
        std::string action = trim(tmpl.substr(open + 2, close - open - 2));
        bool as_json = action.starts_with("json ");
        if (as_json) action = trim(action.substr(5));
        const nlohmann::json& value = lookup(doc, action, tmpl);
        out += value.is_string() && !as_json ? value.get<std::string>() : value.dump();
        pos = close + 2;
    }
    return out;
}

}  // namespace vessel::inspect
