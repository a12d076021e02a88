// vessel-registry: the HTTP side of `vessel pull` (docs/images.md), a separate, dynamically
// linked program because libcurl has no usable static archive (its Kerberos and LDAP
// dependencies have none) and `vessel run` must stay a static binary. vessel spawns it once per
// document or blob; it only moves bytes: every digest is checked by vessel, which trusts
// neither this helper's transport nor the registry.
//
//   vessel-registry [--tls-verify=false] [--cert-dir DIR] [--explain]
//                   manifest|blob HOST REPOSITORY REFERENCE  |  ping HOST
// USER:PASS comes in $VESSEL_REGISTRY_CREDS (argv is readable by every user in /proc).
//
// `manifest` writes the Content-Type on the first line, then the body; `blob` writes the body.
// Authentication as the distribution spec has it: anonymous first; on 401, the challenge in
// WWW-Authenticate: Basic (with --creds) or Bearer (a token from the realm, for the scope
// repository:NAME:pull, with --creds if given), then once more with it. Redirects are followed
// (blobs often live elsewhere) and credentials are never sent to another host: curl drops
// Authorization headers on a redirect to another host, and we keep it that way.
#include <curl/curl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace {

struct Options {
    bool tls_verify = true;
    bool explain = false;
    std::string cert_dir, creds;
};

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "vessel-registry: %s\n", message.c_str());
    std::exit(1);
}

struct Response {
    long status = 0;
    std::string content_type, www_authenticate, body;
    bool stream = false;  // write the 2xx body to stdout as it comes
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* r = static_cast<Response*>(user);
    std::string line(data, size * count);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string key = line.substr(0, colon);
        for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
        if (key == "content-type") r->content_type = value;
        if (key == "www-authenticate") r->www_authenticate = value;
    }
    if (line.rfind("HTTP/", 0) == 0) {  // a new response (after a redirect): start afresh
        r->content_type.clear();
        r->www_authenticate.clear();
    }
    return size * count;
}

// Only a 2xx body is streamed to stdout (an error page or a redirect's body is kept): the
// callback asks curl for the code of the response being received.
size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* pair = static_cast<std::pair<Response*, CURL*>*>(user);
    long code = 0;
    curl_easy_getinfo(pair->second, CURLINFO_RESPONSE_CODE, &code);
    Response* resp = pair->first;
    if (resp->stream && code >= 200 && code < 300) {
        size_t n = size * count;
        const char* p = data;
        while (n > 0) {
            ssize_t w = ::write(STDOUT_FILENO, p, n);
            if (w <= 0) return 0;  // vessel stopped reading: abort the transfer
            p += w;
            n -= static_cast<size_t>(w);
        }
    } else {
        resp->body.append(data, size * count);
    }
    return size * count;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class Client {
  public:
    explicit Client(Options o) : o_(std::move(o)) {
        // The system's CAs plus DIR/ca.crt (podman's --cert-dir), as one bundle.
        if (!o_.cert_dir.empty()) {
            ca_bundle_ = read_file("/etc/ssl/certs/ca-certificates.crt") + "\n" +
                         read_file(o_.cert_dir + "/ca.crt");
        }
    }

    // GET url; on 2xx with `stream`, the body goes to stdout. Returns the response.
    Response get(const std::string& url, const std::string& accept, bool stream,
                 const std::string& authorization) {
        Response r;
        r.stream = stream;
        CURL* curl = curl_easy_init();
        if (!curl) die("cannot initialise libcurl");
        curl_slist* headers = nullptr;
        if (!accept.empty()) headers = curl_slist_append(headers, ("Accept: " + accept).c_str());
        if (!authorization.empty())
            headers = curl_slist_append(headers, ("Authorization: " + authorization).c_str());
        curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(curl, CURLOPT_UNRESTRICTED_AUTH, 0L);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, o_.tls_verify ? "https" : "http,https");
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, "vessel");
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
        if (!o_.tls_verify) {
            curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        curl_blob blob{};
        if (!ca_bundle_.empty()) {
            blob.data = ca_bundle_.data();
            blob.len = ca_bundle_.size();
            blob.flags = CURL_BLOB_NOCOPY;
            curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
        }
        if (o_.explain) std::fprintf(stderr, "vessel-registry: GET %s\n", url.c_str());
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        std::pair<Response*, CURL*> pair{&r, curl};
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &pair);
        CURLcode rc = curl_easy_perform(curl);
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
        if (o_.explain)
            std::fprintf(stderr, "vessel-registry: -> %ld %s\n", r.status, r.content_type.c_str());
        curl_slist_free_all(headers);
        curl_easy_cleanup(curl);
        if (rc != CURLE_OK)
            die(std::string("GET ") + url + ": " + curl_easy_strerror(rc) +
                (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE
                     ? " (give the registry's CA with --cert-dir DIR, DIR/ca.crt, or "
                       "--tls-verify=false)"
                     : ""));
        return r;
    }

    // GET with the registry's authentication dance.
    Response fetch(const std::string& url, const std::string& accept, bool stream,
                   const std::string& repository) {
        Response r = get(url, accept, stream, auth_);
        if (r.status != 401) return r;
        const std::string challenge = r.www_authenticate;
        if (challenge.rfind("Basic", 0) == 0) {
            if (o_.creds.empty())
                die("the registry wants a user and password: give --creds USER:PASS");
            auth_ = "Basic " + base64(o_.creds);
        } else if (challenge.rfind("Bearer", 0) == 0) {
            auth_ = "Bearer " + token(challenge, repository);
        } else {
            die("401 from the registry with an unknown challenge: " + challenge);
        }
        r = get(url, accept, stream, auth_);
        if (r.status == 401) die("the registry refused the credentials (401)");
        return r;
    }

  private:
    static std::map<std::string, std::string> params(const std::string& challenge) {
        std::map<std::string, std::string> out;
        size_t pos = challenge.find(' ');
        while (pos != std::string::npos && pos < challenge.size()) {
            size_t eq = challenge.find('=', pos);
            if (eq == std::string::npos) break;
            std::string key = challenge.substr(pos, eq - pos);
            while (!key.empty() && (key.front() == ' ' || key.front() == ',')) key.erase(0, 1);
            std::string value;
            size_t end;
            if (eq + 1 < challenge.size() && challenge[eq + 1] == '"') {
                end = challenge.find('"', eq + 2);
                value = challenge.substr(eq + 2, end - eq - 2);
                if (end != std::string::npos) ++end;
            } else {
                end = challenge.find(',', eq + 1);
                value = challenge.substr(eq + 1, end - eq - 1);
            }
            out[key] = value;
            pos = end;
        }
        return out;
    }

    std::string token(const std::string& challenge, const std::string& repository) {
        auto p = params(challenge);
        if (p["realm"].empty()) die("a Bearer challenge without realm: " + challenge);
        CURL* curl = curl_easy_init();
        std::string url = p["realm"] + "?";
        if (!p["service"].empty()) {
            char* esc = curl_easy_escape(curl, p["service"].c_str(), 0);
            url += std::string("service=") + esc + "&";
            curl_free(esc);
        }
        // No scope for `ping` (login): a token that only proves who we are.
        std::string scope = !p["scope"].empty()  ? p["scope"]
                            : repository.empty() ? ""
                                                 : "repository:" + repository + ":pull";
        if (!scope.empty()) {
            char* esc = curl_easy_escape(curl, scope.c_str(), 0);
            url += std::string("scope=") + esc;
            curl_free(esc);
        }
        curl_easy_cleanup(curl);
        Response r = get(url, "", false, o_.creds.empty() ? "" : "Basic " + base64(o_.creds));
        if (r.status != 200) die("the token server answered " + std::to_string(r.status));
        // {"token": "..."} or {"access_token": "..."}: a tiny scan is enough for one field.
        for (const char* key : {"\"token\"", "\"access_token\""}) {
            size_t k = r.body.find(key);
            if (k == std::string::npos) continue;
            size_t q1 = r.body.find('"', r.body.find(':', k) + 1);
            size_t q2 = r.body.find('"', q1 + 1);
            if (q1 != std::string::npos && q2 != std::string::npos)
                return r.body.substr(q1 + 1, q2 - q1 - 1);
        }
        die("the token server's answer has no token");
    }

    static std::string base64(const std::string& in) {
        static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        std::string out;
        size_t i = 0;
        for (; i + 2 < in.size(); i += 3) {
            unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                         (static_cast<unsigned char>(in[i + 1]) << 8) |
                         static_cast<unsigned char>(in[i + 2]);
            out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
        }
        if (i + 1 == in.size()) {
            unsigned v = static_cast<unsigned char>(in[i]) << 16;
            out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
        } else if (i + 2 == in.size()) {
            unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                         (static_cast<unsigned char>(in[i + 1]) << 8);
            out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
        }
        return out;
    }

    Options o_;
    std::string ca_bundle_, auth_;
};

// Whether the registry speaks TLS at all (for --tls-verify=false's fallback to HTTP).
bool https_answers(const std::string& base) {
    CURL* curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, (base + "/v2/").c_str());
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    const bool ok = curl_easy_perform(curl) == CURLE_OK;
    curl_easy_cleanup(curl);
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    int i = 1;
    for (; i < argc && std::strncmp(argv[i], "--", 2) == 0; ++i) {
        std::string a = argv[i];
        if (a == "--tls-verify=false")
            o.tls_verify = false;
        else if (a == "--tls-verify=true" || a == "--tls-verify")
            o.tls_verify = true;
        else if (a == "--explain")
            o.explain = true;
        else if (a == "--cert-dir" && i + 1 < argc)
            o.cert_dir = argv[++i];
        else if (a == "--creds" && i + 1 < argc)
            o.creds = argv[++i];
        else
            die("unknown option " + a);
    }
    // Credentials come from the environment, never argv: /proc/PID/cmdline is world-readable.
    if (const char* env = std::getenv("VESSEL_REGISTRY_CREDS"); env && o.creds.empty())
        o.creds = env;
    if (argc - i == 2 && std::string(argv[i]) == "ping") {
        // `vessel login`: GET /v2/ with the credentials, authenticated the usual way.
        curl_global_init(CURL_GLOBAL_DEFAULT);
        Client client(o);
        const std::string host = argv[i + 1];
        std::string base = "https://" + host;
        if (!o.tls_verify && !https_answers(base)) base = "http://" + host;
        Response r = client.fetch(base + "/v2/", "", false, "");
        if (r.status != 200) die("GET /v2/: HTTP " + std::to_string(r.status));
        return 0;
    }
    if (argc - i != 4)
        die("usage: vessel-registry [options] manifest|blob HOST REPOSITORY REFERENCE, or ping "
            "HOST");
    const std::string what = argv[i], host = argv[i + 1], repo = argv[i + 2], ref = argv[i + 3];
    if (what != "manifest" && what != "blob") die("manifest or blob, not " + what);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    Client client(o);
    const std::string path = "/v2/" + repo + (what == "manifest" ? "/manifests/" : "/blobs/") + ref;
    const std::string accept = what == "manifest"
                                   ? "application/vnd.oci.image.index.v1+json, "
                                     "application/vnd.oci.image.manifest.v1+json, "
                                     "application/vnd.docker.distribution.manifest.list.v2+json, "
                                     "application/vnd.docker.distribution.manifest.v2+json"
                                   : "";
    // https first; with --tls-verify=false a registry that only speaks HTTP is reached too.
    Response r;
    std::string base = "https://" + host;
    if (!o.tls_verify && !https_answers(base)) base = "http://" + host;
    r = client.fetch(base + path, accept, what == "blob", repo);
    if (r.status < 200 || r.status >= 300) {
        std::string body = r.body.substr(0, 300);
        die("GET " + path + ": HTTP " + std::to_string(r.status) + " " + body);
    }
    if (what == "manifest") {
        std::string type = r.content_type.substr(0, r.content_type.find(';'));
        std::fwrite(type.data(), 1, type.size(), stdout);
        std::fputc('\n', stdout);
        std::fwrite(r.body.data(), 1, r.body.size(), stdout);
    }
    std::fflush(stdout);
    curl_global_cleanup();
    return 0;
}
