// vessel-nft: vessel's hands on nftables (docs/network.md), a separate, dynamically linked
// program because libnftables has no static archive and `vessel run` must stay a static binary.
// It runs in the network namespace it is started in, like `nft`.
//
//   vessel-nft            reads an nft script on stdin and applies it as ONE transaction: every
//                         command of the script takes effect, or none does (what makes
//                         `create element` a race-free "port is already allocated" check).
//   vessel-nft --list     prints `list table ip vessel` as JSON on stdout (exit 1 when the
//                         table does not exist yet).
//
// On failure it prints libnftables' own message (the failing command, underlined) on stderr and
// exits 1; vessel shows it.
#include <nftables/libnftables.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

std::string read_stdin() {
    std::string text;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n == 0) return text;
        if (n < 0) {
            std::perror("vessel-nft: read stdin");
            std::exit(1);
        }
        text.append(buffer, static_cast<size_t>(n));
    }
}

}  // namespace

int main(int argc, char** argv) {
    const bool list = argc == 2 && std::strcmp(argv[1], "--list") == 0;
    if (argc > 2 || (argc == 2 && !list)) {
        std::fprintf(stderr, "usage: vessel-nft < SCRIPT, or vessel-nft --list\n");
        return 2;
    }
    nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
    if (ctx == nullptr) {
        std::fprintf(stderr, "vessel-nft: nft_ctx_new failed\n");
        return 1;
    }
    // Messages into buffers, so that we decide where they go (stderr; stdout for --list).
    nft_ctx_buffer_output(ctx);
    nft_ctx_buffer_error(ctx);
    std::string script;
    if (list) {
        nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
        script = "list table ip vessel";
    } else {
        script = read_stdin();
    }
    // One buffer = one batch = one transaction: libnftables sends the whole script to the
    // kernel in a single netlink batch, which the kernel commits or aborts as a whole.
    const int rc = nft_run_cmd_from_buffer(ctx, script.c_str());
    std::fputs(nft_ctx_get_output_buffer(ctx), stdout);
    std::fputs(nft_ctx_get_error_buffer(ctx), stderr);
    nft_ctx_free(ctx);
    return rc == 0 ? 0 : 1;
}
