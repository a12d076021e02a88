// native_only [--no-clone3] COMMAND [ARG...]: runs COMMAND under a seccomp filter that kills any
// system call not made through the native x86_64 table (other architectures, and x32 numbers), as
// systemd's SystemCallArchitectures=native does. The integration tests run vessel under it to
// check that vessel survives being filtered itself (its x32 probe must not kill it).
// With --no-clone3, clone3 also fails with ENOSYS, as on a kernel older than 5.3: the tests use
// it to run vessel's fallback to clone(2) (src/linux/namespaces.cpp) on this kernel. Only the
// command's own process tree is filtered; nothing on the host changes.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
#if defined(__x86_64__)
    const bool no_clone3 = argc > 1 && std::strcmp(argv[1], "--no-clone3") == 0;
    if (no_clone3) {
        --argc;
        ++argv;
    }
    if (argc < 2) {
        std::fprintf(stderr, "usage: native_only [--no-clone3] COMMAND [ARG...]\n");
        return 2;
    }
    constexpr unsigned kX32Bit = 0x40000000;
    // Without --no-clone3 the clone3 test matches no call number (-1), and everything is allowed.
    const unsigned clone3_nr = no_clone3 ? SYS_clone3 : ~0U;
    sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, clone3_nr, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
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
