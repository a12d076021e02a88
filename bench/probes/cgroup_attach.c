// cgroup_attach: how long does it take to put a new process into cgroup v1 hierarchies, three ways.
//
//   parent-procs  the parent writes the child's pid into each hierarchy's cgroup.procs
//                 (what vessel, runc and crun do today);
//   child-procs   the child writes "0" into each cgroup.procs, through fds opened by the parent;
//   child-tasks   the child writes "0" into each `tasks` file, through fds opened by the parent.
//
// Writing a pid to cgroup.procs takes cgroup_threadgroup_rwsem for writing, and the first
// writer after a quiet spell waits for an RCU grace period (rcu_sync_enter). Moving only the
// calling thread ("0" into `tasks`) is exempt from that lock (cgroup_procs_write_start), and a
// fresh child has a single thread, so it moves the whole process. Measured from a cold state
// (GAP ms of quiet before each attempt), median over N attempts of each way, interleaved.
//
// Usage: cgroup_attach N GAP_MS CONTROLLER...   (as root; makes and removes
//        /sys/fs/cgroup/CONTROLLER/vbench-attach-PID)
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kMaxCtl = 16 };
static char dirs[kMaxCtl][256];
static int nctl;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void write_str(int fd, const char* s) {
    if (write(fd, s, strlen(s)) < 0) {
        perror("write");
        _exit(1);
    }
}

// One attempt of way `way`; returns the time spent placing the child, in ms.
static double attempt(int way) {
    int fds[kMaxCtl];
    const char* file = way == 2 ? "tasks" : "cgroup.procs";
    for (int i = 0; i < nctl; i++) {
        char path[300];
        snprintf(path, sizeof path, "%s/%s", dirs[i], file);
        fds[i] = open(path, O_WRONLY | O_CLOEXEC);
        if (fds[i] < 0) {
            perror(path);
            exit(1);
        }
    }
    int go[2], report[2];
    if (pipe(go) || pipe(report)) {
        perror("pipe");
        exit(1);
    }
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        if (read(go[0], &c, 1) != 1) _exit(1);
        double t0 = now_ms();
        if (way != 0)
            for (int i = 0; i < nctl; i++) write_str(fds[i], "0");
        double dt = now_ms() - t0;
        if (write(report[1], &dt, sizeof dt) != sizeof dt) _exit(1);
        _exit(0);
    }
    double dt = 0;
    if (way == 0) {
        char buf[32];
        snprintf(buf, sizeof buf, "%d", pid);
        double t0 = now_ms();
        for (int i = 0; i < nctl; i++) write_str(fds[i], buf);
        dt = now_ms() - t0;
    }
    if (write(go[1], "g", 1) != 1) exit(1);
    double child_dt;
    if (read(report[0], &child_dt, sizeof child_dt) != sizeof child_dt) exit(1);
    waitpid(pid, NULL, 0);
    for (int i = 0; i < nctl; i++) close(fds[i]);
    close(go[0]);
    close(go[1]);
    close(report[0]);
    close(report[1]);
    return way == 0 ? dt : child_dt;
}

static int cmp(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

int main(int argc, char** argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s N GAP_MS CONTROLLER...\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]);
    int gap_ms = atoi(argv[2]);
    for (int i = 3; i < argc && nctl < kMaxCtl; i++) {
        snprintf(dirs[nctl], sizeof dirs[nctl], "/sys/fs/cgroup/%s/vbench-attach-%d", argv[i],
                 getpid());
        if (mkdir(dirs[nctl], 0755) != 0) {
            perror(dirs[nctl]);
            return 1;
        }
        if (strcmp(argv[i], "cpuset") == 0) {  // a v1 cpuset admits no task until both are set
            for (const char* f = "cpuset.cpus"; f;
                 f = strcmp(f, "cpuset.cpus") ? NULL : "cpuset.mems") {
                char src[300], dst[300], val[256] = "";
                snprintf(src, sizeof src, "/sys/fs/cgroup/cpuset/%s", f);
                snprintf(dst, sizeof dst, "%s/%s", dirs[nctl], f);
                FILE* in = fopen(src, "r");
                if (in && fgets(val, sizeof val, in)) {
                    int fd = open(dst, O_WRONLY);
                    write_str(fd, val);
                    close(fd);
                }
                if (in) fclose(in);
            }
        }
        nctl++;
    }
    static const char* names[] = {"parent-procs", "child-procs", "child-tasks"};
    double* t[3];
    for (int w = 0; w < 3; w++) t[w] = calloc(n, sizeof(double));
    for (int i = 0; i < n; i++)
        for (int w = 0; w < 3; w++) {
            usleep(gap_ms * 1000);
            t[w][i] = attempt(w);
        }
    printf("%d hierarchies, %d attempts each, %d ms quiet before each\n", nctl, n, gap_ms);
    for (int w = 0; w < 3; w++) {
        qsort(t[w], n, sizeof(double), cmp);
        printf("%-13s median %7.3f ms   min %7.3f   max %7.3f\n", names[w], t[w][n / 2], t[w][0],
               t[w][n - 1]);
    }
    for (int i = 0; i < nctl; i++) rmdir(dirs[i]);
    return 0;
}
