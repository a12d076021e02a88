// Content addresses (docs/images.md): every blob of an image is named by the SHA-256 of its bytes,
// written "sha256:<64 lowercase hex>". vessel hashes everything it receives and never trusts a
// digest it did not compute itself. SHA-256 comes from OpenSSL's libcrypto.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace vessel::image {

// A running SHA-256, fed in pieces (a layer is hashed while it streams).
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(const void* data, size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    // "sha256:<hex>" of everything fed so far; the hash cannot be fed afterwards.
    std::string digest();

  private:
    struct Ctx;
    std::unique_ptr<Ctx> ctx_;
};

// "sha256:<hex>" of `data`.
std::string digest_of(std::string_view data);

// Whether `digest` is "sha256:" and 64 lowercase hex digits (the only algorithm vessel accepts).
bool is_digest(std::string_view digest);
// Throws Error (125) naming `what` unless is_digest(digest).
void check_digest(std::string_view digest, std::string_view what);
// The 64 hex digits of a checked digest: the file name the store uses.
std::string digest_hex(std::string_view digest);

// The chain id of a layer (OCI image spec): the diffID of the bottom layer, then
// sha256(parent_chain + " " + diff_id) for each layer above. It names an unpacked layer *with*
// everything under it, so two images share a layer directory only when all below agree too.
std::string chain_id(std::string_view parent_chain, std::string_view diff_id);

}  // namespace vessel::image
