// native_only COMMAND [ARG...]: runs COMMAND under a seccomp filter that kills any system call
// not made through the native x86_64 table (other architectures, and x32 numbers), as systemd's
// SystemCallArchitectures=native does. The integration tests run vessel under it to check that
// vessel survives being filtered itself (its x32 probe must not kill it). Only the command's own
// process tree is filtered; nothing on the host changes.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>

int main(int argc, char** argv) {
#if defined(__x86_64__)
    if (argc < 2) {
        std::fprintf(stderr, "usage: native_only COMMAND [ARG...]\n");
        return 2;
    }
    constexpr unsigned kX32Bit = 0x40000000;
    sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
    // As root we could do without no_new_privs, but vessel must also run without it set for us.
    if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        std::perror("native_only: seccomp");
        return 2;
    }
    ::execv(argv[1], argv + 1);
    std::perror("native_only: execv");
    return 2;
#else
    (void)argc;
    (void)argv;
    std::fprintf(stderr, "native_only: x86_64 only\n");
    return 77;
#endif
}
