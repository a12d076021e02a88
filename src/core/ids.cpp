#include "vessel/core/ids.hpp"

#include <sys/random.h>

#include <cctype>
#include <cerrno>

#include "vessel/util/error.hpp"

namespace vessel::ids {

std::string new_container_id() {
    unsigned char bytes[32];
    size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw SysError("getrandom", errno);
        got += static_cast<size_t>(n);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    id.reserve(64);
    for (unsigned char b : bytes) {
        id += kHex[b >> 4];
        id += kHex[b & 0xf];
    }
    return id;
}

bool is_valid_name(std::string_view name) {
    // docker: ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$ ; we also cap the length so names fit in paths.
    if (name.size() < 2 || name.size() > 128) return false;
    if (!std::isalnum(static_cast<unsigned char>(name[0]))) return false;
    for (char c : name.substr(1)) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
            return false;
    }
    return true;
}

bool is_valid_hostname(std::string_view hostname) {
    // RFC 1123: dot-separated labels of letters, digits and '-', not starting or ending with '-';
    // sethostname(2) takes at most 64 bytes.
    if (hostname.empty() || hostname.size() > 64) return false;
    size_t label = 0;
    char prev = '.';
    for (char c : hostname) {
        if (c == '.') {
            if (label == 0 || prev == '-') return false;
            label = 0;
        } else {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
            if (c == '-' && label == 0) return false;
            if (++label > 63) return false;
        }
        prev = c;
    }
    return label > 0 && prev != '-';
}

bool looks_like_id_prefix(std::string_view text) {
    if (text.empty() || text.size() > 64) return false;
    for (char c : text) {
        if (!std::isxdigit(static_cast<unsigned char>(c)) ||
            std::isupper(static_cast<unsigned char>(c)))
            return false;
    }
    return true;
}

void check_name(std::string_view name) {
    if (!is_valid_name(name))
        throw Error("invalid container name \"" + std::string(name) +
                    "\": use 2-128 characters of [a-zA-Z0-9_.-], starting with a letter or digit");
}

void check_hostname(std::string_view hostname) {
    if (!is_valid_hostname(hostname))
        throw Error("invalid hostname \"" + std::string(hostname) +
                    "\": use at most 64 characters of letters, digits, '-' and '.'");
}

}  // namespace vessel::ids
