// seccomp_build: what Docker's seccomp profile costs at container start, two ways.
//
//   compile  build the filter with libseccomp (seccomp_init, one seccomp_rule_add per rule and
//            architecture, seccomp_export_bpf): what crun and runc do on every start;
//   load     install an already compiled BPF program (seccomp(SECCOMP_SET_MODE_FILTER)), in a
//            child that then exits: what a runtime with a build-time or cached filter pays.
//
// The rules come on stdin, one per line, flattened from the OCI profile by jq (profile.sh):
//   NAME ACTION ERRNO NARGS [INDEX OP VALUE VALUE_TWO]...
// with ACTION "allow" or "errno" and OP one of eq, gt, lt, masked_eq. The default action and
// the architectures are those of Docker's profile: ERRNO(EPERM); x86_64, x86, x32.
// Usage: jq ... | seccomp_build N [native]   -> median and min of N attempts of each, in ms
//        ("native": x86_64 only, without Docker's x86 and x32 sub-architectures).
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kMaxRules = 1024, kMaxArgs = 6 };
struct Rule {
    char name[64];
    int allow, err, nargs;
    struct scmp_arg_cmp args[kMaxArgs];
};
static struct Rule rules[kMaxRules];
static int nrules;
static int native_only;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static enum scmp_compare op_of(const char* s) {
    if (!strcmp(s, "eq")) return SCMP_CMP_EQ;
    if (!strcmp(s, "gt")) return SCMP_CMP_GT;
    if (!strcmp(s, "lt")) return SCMP_CMP_LT;
    if (!strcmp(s, "masked_eq")) return SCMP_CMP_MASKED_EQ;
    fprintf(stderr, "unknown op %s\n", s);
    exit(2);
}

static void read_rules(void) {
    char action[16], op[16];
    while (nrules < kMaxRules) {
        struct Rule* r = &rules[nrules];
        if (scanf("%63s %15s %d %d", r->name, action, &r->err, &r->nargs) != 4) break;
        r->allow = !strcmp(action, "allow");
        for (int i = 0; i < r->nargs && i < kMaxArgs; i++) {
            unsigned idx;
            unsigned long long v, v2;
            if (scanf("%u %15s %llu %llu", &idx, op, &v, &v2) != 4) exit(2);
            r->args[i] = (struct scmp_arg_cmp){idx, op_of(op), v, v2};
        }
        nrules++;
    }
}

// Builds the filter; returns it exported as BPF in *prog (caller frees prog->filter).
static double compile(struct sock_fprog* prog) {
    double t0 = now_ms();
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!ctx) exit(1);
    if (!native_only) {
        seccomp_arch_add(ctx, SCMP_ARCH_X86);
        seccomp_arch_add(ctx, SCMP_ARCH_X32);
    }
    for (int i = 0; i < nrules; i++) {
        int nr = seccomp_syscall_resolve_name(rules[i].name);
        if (nr == __NR_SCMP_ERROR) continue;  // unknown on this libseccomp: skipped, as runtimes do
        uint32_t action = rules[i].allow ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(rules[i].err);
        seccomp_rule_add_array(ctx, action, nr, rules[i].nargs, rules[i].args);
    }
    // Export to a memory file to get the BPF program (libseccomp 2.5 has no in-memory export).
    FILE* mem = tmpfile();
    if (!mem || seccomp_export_bpf(ctx, fileno(mem)) != 0) exit(1);
    double dt = now_ms() - t0;
    long size = ftell(mem);
    if (size <= 0) {
        fseek(mem, 0, SEEK_END);
        size = ftell(mem);
    }
    rewind(mem);
    prog->len = (unsigned short)(size / sizeof(struct sock_filter));
    prog->filter = malloc(size);
    if (fread(prog->filter, 1, size, mem) != (size_t)size) exit(1);
    fclose(mem);
    seccomp_release(ctx);
    return dt;
}

// Installs `prog` in a fresh child (so this process stays unfiltered); returns the child's time.
static double load(const struct sock_fprog* prog) {
    int pipefd[2];
    if (pipe(pipefd)) exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        double t0 = now_ms();
        long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog);
        double dt = now_ms() - t0;
        if (rc != 0) dt = -1;
        if (write(pipefd[1], &dt, sizeof dt) != sizeof dt) _exit(1);
        _exit(0);
    }
    double dt = -1;
    if (read(pipefd[0], &dt, sizeof dt) != sizeof dt) exit(1);
    waitpid(pid, NULL, 0);
    close(pipefd[0]);
    close(pipefd[1]);
    return dt;
}

static int cmp(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

int main(int argc, char** argv) {
    int n = argc > 1 ? atoi(argv[1]) : 20;
    native_only = argc > 2 && !strcmp(argv[2], "native");
    read_rules();
    double* c = calloc(n, sizeof(double));
    double* l = calloc(n, sizeof(double));
    unsigned len = 0;
    for (int i = 0; i < n; i++) {
        struct sock_fprog prog;
        c[i] = compile(&prog);
        l[i] = load(&prog);
        len = prog.len;
        free(prog.filter);
    }
    qsort(c, n, sizeof(double), cmp);
    qsort(l, n, sizeof(double), cmp);
    printf("%d rules, %s, %u BPF instructions, %d attempts\n", nrules,
           native_only ? "x86_64 only" : "x86_64 + x86 + x32", len, n);
    printf("compile (libseccomp)   median %7.3f ms   min %7.3f\n", c[n / 2], c[0]);
    printf("load precompiled BPF   median %7.3f ms   min %7.3f\n", l[n / 2], l[0]);
    return 0;
}
