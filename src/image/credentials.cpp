#include "vessel/image/credentials.hpp"

#include <openssl/evp.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::image {
namespace {

std::string home() {
    const char* h = std::getenv("HOME");
    return h && *h ? h : "/root";
}

std::string base64(const std::string& in, bool decode) {
    std::string out(in.size() * 2 + 4, '\0');
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    const auto* src = reinterpret_cast<const unsigned char*>(in.data());
    const int n = decode ? EVP_DecodeBlock(dst, src, static_cast<int>(in.size()))
                         : EVP_EncodeBlock(dst, src, static_cast<int>(in.size()));
    if (n < 0) throw Error("malformed base64 in a registry credentials file");
    out.resize(static_cast<size_t>(n));
    if (decode) {  // EVP_DecodeBlock counts the padding's zero bytes
        for (size_t pad = in.size(); pad > 0 && in[pad - 1] == '='; --pad) out.pop_back();
    }
    return out;
}

std::optional<std::string> lookup(const std::string& path, const std::string& host) {
    auto text = fs::try_read_file(path);
    if (!text) return std::nullopt;
    try {
        auto j = nlohmann::json::parse(*text);
        if (!j.contains("auths")) return std::nullopt;
        // docker writes Docker Hub as its v1 URL.
        for (const std::string& key :
             {host, "https://" + host,
              host == "docker.io" ? "https://index.docker.io/v1/" : host}) {
            if (j["auths"].contains(key) && j["auths"][key].contains("auth"))
                return base64(j["auths"][key]["auth"].get<std::string>(), true);
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error("malformed " + path + ": " + e.what());
    }
    return std::nullopt;
}

}  // namespace

std::string auth_file() {
    if (const char* f = std::getenv("VESSEL_AUTH_FILE"); f && *f) return f;
    return home() + "/.config/vessel/auth.json";
}

std::optional<std::string> find_credentials(const std::string& host) {
    if (auto c = lookup(auth_file(), host)) return c;
    return lookup(home() + "/.docker/config.json", host);
}

void store_credentials(const std::string& host, const std::string& user_pass) {
    const std::string path = auth_file();
    nlohmann::json j = nlohmann::json::object();
    if (auto text = fs::try_read_file(path)) {
        try {
            j = nlohmann::json::parse(*text);
        } catch (const nlohmann::json::exception&) {
            throw Error(path + " is not valid JSON: fix or remove it");
        }
    }
    j["auths"][host] = {{"auth", base64(user_pass, false)}};
    const std::string dir = path.substr(0, path.rfind('/'));
    const std::string parent = dir.substr(0, dir.rfind('/'));
    if (!parent.empty()) fs::ensure_dir(parent, 0700);
    fs::ensure_dir(dir, 0700);
    fs::write_file_atomic(path, j.dump(2) + "\n", 0600);
}

}  // namespace vessel::image
