#include <gtest/gtest.h>

#include "vessel/core/stats.hpp"

using namespace vessel::stats;

namespace {

Sample reading(int64_t at_ms, uint64_t cpu_ms, int64_t memory) {
    Sample s;
    s.id = std::string(64, 'a');
    s.name = "web";
    s.running = true;
    s.at_ns = at_ms * 1'000'000;
    s.cpu_ns = cpu_ms * 1'000'000;
    s.memory = memory;
    s.memory_limit = 64 << 20;
    s.pids = 3;
    return s;
}

}  // namespace

TEST(Stats, CpuIsCpuTimeOverWallTime) {
    // 500 ms of CPU in 1000 ms: half a CPU.
    Row row = make_row(reading(0, 100, 0), reading(1000, 600, 16 << 20), 1LL << 34);
    EXPECT_EQ(row.id, "aaaaaaaaaaaa");
    EXPECT_EQ(row.name, "web");
    EXPECT_EQ(row.cpu, "50.00%");
    EXPECT_EQ(row.memory, "16MiB / 64MiB");
    EXPECT_EQ(row.memory_percent, "25.00%");
    EXPECT_EQ(row.pids, "3");
    // Two CPUs' worth shows as 200%, as in docker.
    EXPECT_EQ(make_row(reading(0, 0, 0), reading(1000, 2000, 0), 0).cpu, "200.00%");
}

TEST(Stats, WithoutALimitMemoryIsMeasuredAgainstTheHost) {
    Sample now = reading(1000, 0, 1 << 30);
    now.memory_limit.reset();
    Row row = make_row(reading(0, 0, 0), now, 4LL << 30);
    EXPECT_EQ(row.memory, "1GiB / 4GiB");
    EXPECT_EQ(row.memory_percent, "25.00%");
}

TEST(Stats, AStoppedContainerShowsDashes) {
    Sample gone;
    gone.id = std::string(64, 'b');
    Row row = make_row(gone, gone, 1 << 30);
    EXPECT_EQ(row.name, "bbbbbbbbbbbb");
    EXPECT_EQ(row.cpu, "--");
    EXPECT_EQ(row.pids, "--");
}

TEST(Stats, TheTableIsAligned) {
    Row a = make_row(reading(0, 0, 0), reading(1000, 250, 1 << 20), 0);
    std::string table = render({a});
    EXPECT_EQ(table,
              "CONTAINER ID   NAME   CPU %    MEM USAGE / LIMIT   MEM %   PIDS\n"
              "aaaaaaaaaaaa   web    25.00%   1MiB / 64MiB        1.56%   3\n");
}
