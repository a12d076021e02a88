#include "vessel/image/digest.hpp"

// The low-level SHA256_* functions, deprecated in OpenSSL 3 in favour of EVP, are used on
// purpose: EVP loads OpenSSL's provider machinery, every algorithm with it, and made the static
// vessel 3.5 MB larger (a larger binary to map at every `vessel run`); SHA256_* is the plain
// implementation.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "vessel/util/error.hpp"

namespace vessel::image {

struct Sha256::Ctx {
    SHA256_CTX sha;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
    if (SHA256_Init(&ctx_->sha) != 1) throw Error("cannot start a SHA-256 hash (libcrypto)");
}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, size_t size) {
    if (size && SHA256_Update(&ctx_->sha, data, size) != 1)
        throw Error("SHA-256 update failed (libcrypto)");
}

std::string Sha256::digest() {
    unsigned char out[SHA256_DIGEST_LENGTH];
    const unsigned len = SHA256_DIGEST_LENGTH;
    if (SHA256_Final(out, &ctx_->sha) != 1) throw Error("SHA-256 final failed");
    static const char* hex = "0123456789abcdef";
    std::string text = "sha256:";
    for (unsigned i = 0; i < len; ++i) {
        text += hex[out[i] >> 4];
        text += hex[out[i] & 15];
    }
    return text;
}

std::string digest_of(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.digest();
}

bool is_digest(std::string_view d) {
    if (d.size() != 71 || d.substr(0, 7) != "sha256:") return false;
    for (char c : d.substr(7))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

void check_digest(std::string_view d, std::string_view what) {
    if (!is_digest(d))
        throw Error(std::string(what) + ": \"" + std::string(d.substr(0, 100)) +
                    "\" is not a sha256 digest (sha256: and 64 lowercase hex digits)");
}

std::string digest_hex(std::string_view d) {
    check_digest(d, "digest");
    return std::string(d.substr(7));
}

std::string chain_id(std::string_view parent_chain, std::string_view diff_id) {
    if (parent_chain.empty()) return std::string(diff_id);
    return digest_of(std::string(parent_chain) + " " + std::string(diff_id));
}

}  // namespace vessel::image
