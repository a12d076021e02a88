#include <gtest/gtest.h>

#include <cstring>

#include "vessel/linux/device_cgroup.hpp"

using namespace vessel;

namespace {

// A tiny interpreter for the instructions build_program emits, so the rules can be checked
// without loading them into a kernel.
int run(const std::vector<bpf_insn>& p, char type, unsigned major, unsigned minor, int access) {
    uint64_t r[11] = {};
    bpf_cgroup_dev_ctx ctx{};
    ctx.access_type = static_cast<uint32_t>(
        (access << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
    ctx.major = major;
    ctx.minor = minor;
    for (size_t pc = 0; pc < p.size(); ++pc) {
        const bpf_insn& i = p[pc];
        switch (i.code) {
            case BPF_LDX | BPF_MEM | BPF_W: {
                uint32_t v;
                std::memcpy(&v, reinterpret_cast<const char*>(&ctx) + i.off, sizeof v);
                r[i.dst_reg] = v;
                break;
            }
            case BPF_ALU | BPF_AND | BPF_K:
                r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg] & static_cast<uint32_t>(i.imm));
                break;
            case BPF_ALU | BPF_RSH | BPF_K:
                r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg] >> i.imm);
                break;
            case BPF_ALU64 | BPF_MOV | BPF_X:
                r[i.dst_reg] = r[i.src_reg];
                break;
            case BPF_ALU64 | BPF_MOV | BPF_K:
                r[i.dst_reg] = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
                break;
            case BPF_JMP | BPF_JNE | BPF_K:
                if (r[i.dst_reg] != static_cast<uint64_t>(static_cast<int64_t>(i.imm)))
                    pc += static_cast<size_t>(i.off);
                break;
            case BPF_JMP | BPF_EXIT:
                return static_cast<int>(r[0]);
            default:
                ADD_FAILURE() << "unexpected opcode " << int(i.code);
                return -1;
        }
    }
    ADD_FAILURE() << "fell off the end";
    return -1;
}

constexpr int kM = BPF_DEVCG_ACC_MKNOD, kR = BPF_DEVCG_ACC_READ, kW = BPF_DEVCG_ACC_WRITE;

}  // namespace

TEST(DeviceProgram, DefaultRules) {
    Security s;
    auto p = device_cgroup::build_program(device_rules(s));
    EXPECT_EQ(run(p, 'c', 1, 3, kR | kW), 1);  // /dev/null
    EXPECT_EQ(run(p, 'c', 1, 1, kR), 0);       // /dev/mem
    EXPECT_EQ(run(p, 'c', 1, 1, kM), 1);       // mknod of anything
    EXPECT_EQ(run(p, 'b', 8, 0, kM), 1);
    EXPECT_EQ(run(p, 'b', 8, 0, kR), 0);         // a disk
    EXPECT_EQ(run(p, 'c', 136, 7, kR | kW), 1);  // /dev/pts/7
    EXPECT_EQ(run(p, 'b', 136, 7, kR), 0);       // not a block device 136
    EXPECT_EQ(run(p, 'c', 10, 229, kR), 0);      // fuse: not unless --device
}

TEST(DeviceProgram, ExtraDeviceWithPartialAccess) {
    Security s;
    auto p = device_cgroup::build_program(device_rules(s, {{'c', 10, 229, "r", true}}));
    EXPECT_EQ(run(p, 'c', 10, 229, kR), 1);
    EXPECT_EQ(run(p, 'c', 10, 229, kW), 0);
    EXPECT_EQ(run(p, 'c', 10, 229, kR | kW), 0);
}

TEST(DeviceProgram, PrivilegedAllowsAll) {
    Security s;
    s.privileged = true;
    auto p = device_cgroup::build_program(device_rules(s));
    EXPECT_EQ(p.size(), 8u);  // the loads, then "return 1": nothing unreachable for the verifier
    EXPECT_EQ(run(p, 'b', 8, 0, kR | kW), 1);
}
