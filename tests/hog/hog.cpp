// hog: a small static program that uses a resource on purpose, so the tests can watch a cgroup
// limit stop it. It runs inside containers only (tests/integration/limits.bats, tests/vm/).
//
//   hog mem MIB            touch MIB MiB of memory, page by page; prints "touched MIB MiB"
//   hog hold MIB SECONDS   touch MIB MiB, then sleep (for `vessel stats`)
//   hog fork N [SECONDS]   fork N children that sleep; stops at the first fork that fails and
//                          prints "forked K of N" and the error; exit 0 only if all N forked.
//                          With SECONDS, keeps retrying the failed fork that long first (a
//                          container pressing against its pids limit)
//   hog spin SECONDS       burn CPU for SECONDS of wall time; prints the CPU time it got:
//                          "cpu 0.412 s in 2.000 s"
//   hog udp PORT           wait for one UDP datagram on PORT and print it (busybox's nc has no
//                          UDP: tests/integration/network.bats publishes a UDP port with it)
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace {

constexpr size_t kMiB = 1024 * 1024;

double seconds(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Maps and writes every page, so the memory is really charged to our cgroup.
void touch(long mib) {
    for (long i = 0; i < mib; ++i) {
        void* chunk =
            mmap(nullptr, kMiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (chunk == MAP_FAILED) {
            printf("mmap failed after %ld MiB: %s\n", i, strerror(errno));
            exit(1);
        }
        memset(chunk, 0x5a, kMiB);
    }
}

int mem(long mib) {
    touch(mib);
    printf("touched %ld MiB\n", mib);
    return 0;
}

int hold(long mib, long secs) {
    touch(mib);
    printf("holding %ld MiB\n", mib);
    fflush(stdout);
    sleep(static_cast<unsigned>(secs));
    return 0;
}

int fork_children(long n, double retry_secs) {
    if (n > 10000) n = 10000;  // a bound of our own, whatever the cgroup says
    pid_t* kids = static_cast<pid_t*>(calloc(static_cast<size_t>(n), sizeof(pid_t)));
    long forked = 0;
    int err = 0;
    for (; forked < n; ++forked) {
        pid_t pid = fork();
        if (pid < 0 && retry_secs > 0) {
            const double until = seconds(CLOCK_MONOTONIC) + retry_secs;
            while (pid < 0 && seconds(CLOCK_MONOTONIC) < until) {
                usleep(1000);
                pid = fork();
            }
        }
        if (pid < 0) {
            err = errno;
            break;
        }
        if (pid == 0) {
            pause();
            _exit(0);
        }
        kids[forked] = pid;
    }
    printf("forked %ld of %ld\n", forked, n);
    if (err) printf("fork: %s\n", strerror(err));
    for (long i = 0; i < forked; ++i) kill(kids[i], SIGKILL);
    for (long i = 0; i < forked; ++i) waitpid(kids[i], nullptr, 0);
    return err ? 1 : 0;
}

int spin(double secs) {
    const double wall0 = seconds(CLOCK_MONOTONIC), cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
    volatile unsigned long counter = 0;
    while (seconds(CLOCK_MONOTONIC) - wall0 < secs) {
        for (int i = 0; i < 10000; ++i) counter = counter + 1;
    }
    printf("cpu %.3f s in %.3f s\n", seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0,
           seconds(CLOCK_MONOTONIC) - wall0);
    return 0;
}

int udp(int port) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        perror("udp");
        return 1;
    }
    char buf[512];
    ssize_t n = recv(s, buf, sizeof buf - 1, 0);
    if (n < 0) return 1;
    buf[n] = '\0';
    printf("%s", buf);
    return 0;
}

int usage() {
    fprintf(stderr,
            "usage: hog mem MIB | hold MIB SECONDS | fork N [SECONDS] | spin SECONDS | udp PORT\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    setvbuf(stdout, nullptr, _IOLBF, 0);
    if (argc < 3) return usage();
    const char* what = argv[1];
    if (strcmp(what, "mem") == 0) return mem(atol(argv[2]));
    if (strcmp(what, "hold") == 0 && argc > 3) return hold(atol(argv[2]), atol(argv[3]));
    if (strcmp(what, "fork") == 0)
        return fork_children(atol(argv[2]), argc > 3 ? atof(argv[3]) : 0);
    if (strcmp(what, "spin") == 0) return spin(atof(argv[2]));
    if (strcmp(what, "udp") == 0) return udp(atoi(argv[2]));
    return usage();
}
