// interleave: A/B timing for a noisy machine. Runs each command once per round, in turn
// (A B C A B C ...), so that every command sees the same background load, and prints per command
// the median and quartiles of wall-clock time and the median CPU time (user+sys of the whole
// process tree). hyperfine runs all of A before B, so a build starting half-way skews it.
//
// Usage: interleave ROUNDS GAP_MS NAME 'COMMAND ARGS' [NAME 'COMMAND ARGS']...
//   Commands are split on spaces (no shell); output goes to /dev/null; a failing command stops
//   the run. GAP_MS of sleep before each command (0: back to back).
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kMaxCmds = 16, kMaxArgs = 64 };

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

int main(int argc, char** argv) {
    if (argc < 5 || (argc - 3) % 2) {
        fprintf(stderr, "usage: %s ROUNDS GAP_MS NAME 'CMD ARGS' [NAME 'CMD ARGS']...\n", argv[0]);
        return 2;
    }
    int rounds = atoi(argv[1]), gap = atoi(argv[2]), ncmds = (argc - 3) / 2;
    char* names[kMaxCmds];
    char* args[kMaxCmds][kMaxArgs];
    for (int c = 0; c < ncmds && c < kMaxCmds; c++) {
        names[c] = argv[3 + 2 * c];
        int n = 0;
        for (char* tok = strtok(argv[4 + 2 * c], " "); tok && n < kMaxArgs - 1;
             tok = strtok(NULL, " "))
            args[c][n++] = tok;
        args[c][n] = NULL;
    }
    double* wall[kMaxCmds];
    double* cpu[kMaxCmds];
    for (int c = 0; c < ncmds; c++) {
        wall[c] = calloc(rounds, sizeof(double));
        cpu[c] = calloc(rounds, sizeof(double));
    }
    int devnull = open("/dev/null", O_RDWR);
    for (int r = 0; r < rounds; r++) {
        for (int c = 0; c < ncmds; c++) {
            if (gap) usleep(gap * 1000);
            double t0 = now_ms();
            pid_t pid = fork();
            if (pid == 0) {
                dup2(devnull, 0);
                dup2(devnull, 1);
                dup2(devnull, 2);
                execvp(args[c][0], args[c]);
                _exit(127);
            }
            int status;
            struct rusage ru;
            wait4(pid, &status, 0, &ru);
            wall[c][r] = now_ms() - t0;
            cpu[c][r] = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 +
                        ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "interleave: %s failed (status %d)\n", names[c], status);
                return 1;
            }
        }
    }
    printf("%-34s %9s %9s %9s %11s\n", "command", "median", "p25", "p75", "cpu median");
    for (int c = 0; c < ncmds; c++) {
        qsort(wall[c], rounds, sizeof(double), cmp);
        qsort(cpu[c], rounds, sizeof(double), cmp);
        printf("%-34s %7.2fms %7.2fms %7.2fms %9.2fms\n", names[c], wall[c][rounds / 2],
               wall[c][rounds / 4], wall[c][3 * rounds / 4], cpu[c][rounds / 2]);
    }
    return 0;
}
