#include <gtest/gtest.h>

#include "vessel/core/resources.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;
using namespace vessel::resources;

namespace {

constexpr int64_t kMiB = 1024 * 1024;

// The message of the Error that `f` throws, or "" when it throws none.
template <typename F>
std::string error_of(F f) {
    try {
        f();
    } catch (const Error& e) {
        EXPECT_EQ(e.exit_code(), 125);
        return e.what();
    }
    return "";
}

Resources run_with(Flags f, int cpus = 2) {
    return apply_flags(f, Resources{}, cpus);
}

}  // namespace

TEST(Resources, SizesAreReadLikeDocker) {
    EXPECT_EQ(parse_bytes("1048576", "-m"), kMiB);
    EXPECT_EQ(parse_bytes("512k", "-m"), 512 * 1024);
    EXPECT_EQ(parse_bytes("32m", "-m"), 32 * kMiB);
    EXPECT_EQ(parse_bytes("32M", "-m"), 32 * kMiB);
    EXPECT_EQ(parse_bytes("32mb", "-m"), 32 * kMiB);
    EXPECT_EQ(parse_bytes("32MiB", "-m"), 32 * kMiB);
    EXPECT_EQ(parse_bytes("64 MB", "-m"), 64 * kMiB);
    EXPECT_EQ(parse_bytes("1.5g", "-m"), 1536 * kMiB);
    EXPECT_EQ(parse_bytes("2t", "-m"), int64_t{2} << 40);
    EXPECT_EQ(parse_bytes("100b", "-m"), 100);
}

TEST(Resources, BadSizesNameTheFlagAndSayWhy) {
    EXPECT_NE(error_of([] { parse_bytes("-5m", "--memory"); }).find("cannot be negative"),
              std::string::npos);
    for (const char* bad : {"", "abc", "m", "12x", "1.2.3m", "1e9", "0x10", "5ib", "--1"}) {
        auto message = error_of([&] { parse_bytes(bad, "--memory"); });
        EXPECT_NE(message.find("invalid --memory"), std::string::npos) << bad;
    }
    EXPECT_NE(error_of([] { parse_bytes("99999999p", "-m"); }), "");
}

TEST(Resources, MemoryGetsDockersDefaultSwap) {
    Flags f;
    f.memory = "32m";
    auto r = run_with(f);
    EXPECT_EQ(r.memory, 32 * kMiB);
    EXPECT_EQ(r.memory_swap, 64 * kMiB);  // as much swap as memory
    f.memory_swap = "-1";
    EXPECT_EQ(run_with(f).memory_swap, -1);
    f.memory_swap = "48m";
    EXPECT_EQ(run_with(f).memory_swap, 48 * kMiB);
    f.memory = "0";  // docker's "no limit"
    f.memory_swap.reset();
    EXPECT_FALSE(run_with(f).memory);
    EXPECT_FALSE(run_with(f).memory_swap);
}

TEST(Resources, MemoryBelowTheMinimumOrSwapBelowMemoryIsRefused) {
    Flags f;
    f.memory = "1m";
    EXPECT_NE(error_of([&] { run_with(f); }).find("the minimum is 6MiB"), std::string::npos);
    f.memory = "6m";
    EXPECT_EQ(error_of([&] { run_with(f); }), "");
    f.memory = "32m";
    f.memory_swap = "16m";
    EXPECT_NE(error_of([&] { run_with(f); }).find("below --memory"), std::string::npos);
    Flags swap_only;
    swap_only.memory_swap = "64m";
    EXPECT_NE(error_of([&] { run_with(swap_only); }).find("needs --memory"), std::string::npos);
    swap_only.memory_swap = "-2";
    EXPECT_NE(error_of([&] { run_with(swap_only); }).find("negative"), std::string::npos);
}

TEST(Resources, CpusAreBoundedByTheMachine) {
    Flags f;
    f.cpus = "1.5";
    EXPECT_DOUBLE_EQ(*run_with(f).cpus, 1.5);
    f.cpus = "2";
    EXPECT_EQ(error_of([&] { run_with(f, 2); }), "");
    f.cpus = "2.5";
    EXPECT_NE(error_of([&] { run_with(f, 2); }).find("this machine has 2 CPUs"), std::string::npos);
    f.cpus = "0.001";
    EXPECT_NE(error_of([&] { run_with(f); }).find("0.01 to 2"), std::string::npos);
    for (const char* bad : {"-1", "abc", "", "1,5", "nan", "inf"}) {
        f.cpus = bad;
        EXPECT_NE(error_of([&] { run_with(f); }).find("invalid --cpus"), std::string::npos) << bad;
    }
    f.cpus = "0";  // no limit, as docker
    EXPECT_FALSE(run_with(f).cpus);
}

TEST(Resources, SharesCpusetAndPids) {
    Flags f;
    f.cpu_shares = "512";
    f.cpuset_cpus = "1, 0";
    f.pids_limit = "20";
    auto r = run_with(f);
    EXPECT_EQ(r.cpu_shares, 512u);
    EXPECT_EQ(r.cpuset_cpus, "0-1");
    EXPECT_EQ(r.pids_limit, 20);
    f.cpu_shares = "1";
    EXPECT_NE(error_of([&] { run_with(f); }).find("2 to 262144"), std::string::npos);
    f.cpu_shares = "-3";
    EXPECT_NE(error_of([&] { run_with(f); }).find("invalid --cpu-shares"), std::string::npos);
    f.cpu_shares.reset();
    f.cpuset_cpus = "0-3";
    EXPECT_NE(error_of([&] { run_with(f, 2); }).find("no CPU 3"), std::string::npos);
    f.cpuset_cpus = "1-0";
    EXPECT_NE(error_of([&] { run_with(f); }).find("invalid --cpuset-cpus"), std::string::npos);
    f.cpuset_cpus.reset();
    f.pids_limit = "0";
    EXPECT_EQ(run_with(f).pids_limit, -1);  // no limit
    f.pids_limit = "-1";
    EXPECT_EQ(run_with(f).pids_limit, -1);
    f.pids_limit = "-5";  // help says 0 or -1: anything below is a typo, not "no limit"
    EXPECT_NE(error_of([&] { run_with(f); }).find("use a positive number, or 0 or -1"),
              std::string::npos);
    f.pids_limit = "lots";
    EXPECT_NE(error_of([&] { run_with(f); }).find("invalid --pids-limit"), std::string::npos);
    EXPECT_EQ(Resources{}.pids_limit, 4096);  // the default that stops fork bombs
}

TEST(Resources, CpuListsAreReadAndPrintedBack) {
    EXPECT_EQ(parse_cpu_list("0-2,5", "x"), (std::vector<int>{0, 1, 2, 5}));
    EXPECT_EQ(canonical_cpu_list({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
    for (const char* bad : {"", ",", "0,", "a", "1-", "-1", "3-1"})
        EXPECT_NE(error_of([&] { parse_cpu_list(bad, "--cpuset-cpus"); }), "") << bad;
}

TEST(Resources, UpdateKeepsWhatIsNotGivenAndSwapFollowsItsDefault) {
    Flags run;
    run.memory = "32m";
    run.cpus = "0.5";
    Resources r = run_with(run);
    Flags update;
    update.memory = "128m";
    Resources u = apply_flags(update, r, 2);
    EXPECT_EQ(u.memory, 128 * kMiB);
    EXPECT_EQ(u.memory_swap, 256 * kMiB);  // it was the default: twice memory
    EXPECT_DOUBLE_EQ(*u.cpus, 0.5);
    EXPECT_EQ(u.pids_limit, 4096);
    // An explicit swap limit stays, and memory may not pass it.
    run.memory_swap = "40m";
    r = run_with(run);
    EXPECT_NE(error_of([&] { apply_flags(update, r, 2); }).find("give a new --memory-swap"),
              std::string::npos);
    update.memory = "36m";
    EXPECT_EQ(apply_flags(update, r, 2).memory_swap, 40 * kMiB);
}

TEST(Resources, KernelArithmetic) {
    EXPECT_EQ(cpu_quota_us(0.5), 50000);
    EXPECT_EQ(cpu_quota_us(1.5), 150000);
    EXPECT_EQ(cpu_quota_us(0.01), 1000);
    EXPECT_EQ(cpu_quota_us(0.001), 1000);  // the kernel's floor
    // runc's mapping of cpu.shares onto cpu.weight.
    EXPECT_EQ(shares_to_weight(2), 1u);
    EXPECT_EQ(shares_to_weight(1024), 39u);
    EXPECT_EQ(shares_to_weight(262144), 10000u);
    EXPECT_EQ(shares_to_weight(0), 0u);
    EXPECT_EQ(swap_max_v2(32 * kMiB, 64 * kMiB), std::to_string(32 * kMiB));
    EXPECT_EQ(swap_max_v2(32 * kMiB, 32 * kMiB), "0");
    EXPECT_EQ(swap_max_v2(32 * kMiB, -1), "max");
}

TEST(Resources, BytesPrintLikeDockerStats) {
    EXPECT_EQ(format_bytes(0), "0B");
    EXPECT_EQ(format_bytes(1023), "1023B");
    EXPECT_EQ(format_bytes(32 * kMiB), "32MiB");
    EXPECT_EQ(format_bytes(2048000), "1.953MiB");
    EXPECT_EQ(format_bytes(1.5 * 1024 * 1024 * 1024), "1.5GiB");
}
