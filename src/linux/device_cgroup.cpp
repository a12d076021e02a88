#include "vessel/linux/device_cgroup.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "vessel/linux/cgroup_files.hpp"
#include "vessel/linux/cgroup_v1.hpp"
#include "vessel/linux/cgroup_v2.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/log.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::device_cgroup {
namespace {

using explain::Chapter;

// A few eBPF instruction builders (include/uapi/linux/bpf.h has the encoding).
bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}
bpf_insn load_u32(uint8_t dst, uint8_t src, int16_t off) {
    return insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
}
bpf_insn mov_reg(uint8_t dst, uint8_t src) {
    return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn mov_imm(uint8_t dst, int32_t imm) {
    return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
bpf_insn and_imm(uint8_t dst, int32_t imm) {
    return insn(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm);
}
bpf_insn rsh_imm(uint8_t dst, int32_t imm) {
    return insn(BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, imm);
}
bpf_insn jne_imm(uint8_t dst, int32_t imm, int16_t off) {
    return insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm);
}
bpf_insn exit_insn() {
    return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

// Registers: R1 = struct bpf_cgroup_dev_ctx *; we load R2 = type, R3 = access, R4 = major, R5 =
// minor.
int32_t access_bits(const std::string& access) {
    int32_t bits = 0;
    if (access.find('m') != std::string::npos) bits |= BPF_DEVCG_ACC_MKNOD;
    if (access.find('r') != std::string::npos) bits |= BPF_DEVCG_ACC_READ;
    if (access.find('w') != std::string::npos) bits |= BPF_DEVCG_ACC_WRITE;
    return bits;
}

long bpf(int cmd, bpf_attr& attr) {
    return ::syscall(SYS_bpf, cmd, &attr, sizeof attr);
}

}  // namespace

std::vector<bpf_insn> build_program(const std::vector<DeviceRule>& rules) {
    std::vector<bpf_insn> p = {
        load_u32(2, 1, offsetof(bpf_cgroup_dev_ctx, access_type)),
        and_imm(2, 0xffff),  // R2: BPF_DEVCG_DEV_BLOCK or _CHAR
        load_u32(3, 1, offsetof(bpf_cgroup_dev_ctx, access_type)),
        rsh_imm(3, 16),  // R3: BPF_DEVCG_ACC_* requested
        load_u32(4, 1, offsetof(bpf_cgroup_dev_ctx, major)),
        load_u32(5, 1, offsetof(bpf_cgroup_dev_ctx, minor)),
    };
    for (const auto& rule : rules) {
        if (!rule.allow) {
            // Only a leading "deny all" is meaningful here: it is what the fall-through does.
            if (rule.type == 'a') continue;
            throw Error("device cgroup: deny rules other than \"a\" are not supported: " +
                        rule.to_string());
        }
        std::vector<bpf_insn> block;  // jumps with offset 0 are patched to "skip to the next rule"
        if (rule.type != 'a')
            block.push_back(
                jne_imm(2, rule.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0));
        int32_t allowed = access_bits(rule.access);
        if (rule.type != 'a' &&
            allowed != (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)) {
            // Requested access must be a subset: (R3 & ~allowed) == 0.
            block.push_back(mov_reg(1, 3));
            block.push_back(and_imm(1, ~allowed));
            block.push_back(jne_imm(1, 0, 0));
        }
        if (rule.type != 'a' && rule.major >= 0)
            block.push_back(jne_imm(4, static_cast<int32_t>(rule.major), 0));
        if (rule.type != 'a' && rule.minor >= 0)
            block.push_back(jne_imm(5, static_cast<int32_t>(rule.minor), 0));
        block.push_back(mov_imm(0, 1));
        block.push_back(exit_insn());
        if (block.size() == 2) {
            // Unconditional ("a *:* rwm", --privileged): nothing after it could ever run, and the
            // verifier refuses unreachable instructions.
            p.insert(p.end(), block.begin(), block.end());
            return p;
        }
        const auto size = static_cast<int16_t>(block.size());
        for (int16_t i = 0; i < size; ++i) {
            if (BPF_CLASS(block[i].code) == BPF_JMP && BPF_OP(block[i].code) == BPF_JNE)
                block[i].off = static_cast<int16_t>(size - i - 1);  // past this rule's exit
        }
        p.insert(p.end(), block.begin(), block.end());
    }
    p.push_back(mov_imm(0, 0));  // nothing matched: denied
    p.push_back(exit_insn());
    return p;
}

void attach_program(const std::string& dir, const std::vector<DeviceRule>& rules) {
    std::vector<bpf_insn> program = build_program(rules);
    static const char kLicense[] = "Apache";
    bpf_attr load{};
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insns = reinterpret_cast<uint64_t>(program.data());
    load.insn_cnt = static_cast<uint32_t>(program.size());
    load.license = reinterpret_cast<uint64_t>(kLicense);
    std::strncpy(load.prog_name, "vessel_devices", sizeof load.prog_name - 1);
    UniqueFd prog(static_cast<int>(bpf(BPF_PROG_LOAD, load)));
    int err = errno;
    explain::syscall(Chapter::kMaskedPaths,
                     fmt::format("bpf(BPF_PROG_LOAD, {{BPF_PROG_TYPE_CGROUP_DEVICE, insn_cnt={}}})",
                                 program.size()),
                     prog.get(), err, "the device rules as an eBPF program");
    if (!prog) {
        // Again with the verifier's log, to say why.
        std::vector<char> log(65536);
        load.log_buf = reinterpret_cast<uint64_t>(log.data());
        load.log_size = static_cast<uint32_t>(log.size());
        load.log_level = 1;
        UniqueFd again(static_cast<int>(bpf(BPF_PROG_LOAD, load)));
        throw SysError("cannot load the device cgroup program", err,
                       std::string(log.data()).substr(0, 300));
    }
    UniqueFd cgroup(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!cgroup) throw SysError("cannot open cgroup " + dir, errno);
    bpf_attr attach{};
    attach.target_fd = static_cast<uint32_t>(cgroup.get());
    attach.attach_bpf_fd = static_cast<uint32_t>(prog.get());
    attach.attach_type = BPF_CGROUP_DEVICE;
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    long rc = bpf(BPF_PROG_ATTACH, attach);
    err = errno;
    explain::syscall(
        Chapter::kMaskedPaths,
        fmt::format("bpf(BPF_PROG_ATTACH, {{cgroup={}, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI}})",
                    explain::quote(dir)),
        rc, err, "every open and mknod in the cgroup asks it first");
    if (rc != 0) throw SysError("cannot attach the device cgroup program to " + dir, err);
    // The cgroup holds the program now; it goes away with the cgroup.
}

void apply(const cgroups::Cgroup& cgroup, const std::vector<DeviceRule>& rules) {
    if (auto* v2 = dynamic_cast<const cgroups::CgroupV2*>(&cgroup)) {
        attach_program(v2->dir(), rules);
        return;
    }
    auto* v1 = dynamic_cast<const cgroups::CgroupV1*>(&cgroup);
    if (!v1) return;
    if (std::string dir = v1->dir("devices"); !dir.empty()) {
        for (const auto& rule : rules) {
            std::string file = dir + (rule.allow ? "/devices.allow" : "/devices.deny");
            cgroups::write_file(
                file, rule.type == 'a' ? "a" : rule.to_string(),
                rule.allow ? "a device the container may use (docs/masked-paths-and-devices.md)"
                           : "deny every device first");
        }
    }
    // Hybrid: the cgroup2 directory that tracks the same processes gets the program too. The
    // v1 controller already enforces the rules, so a kernel that cannot run the program (no
    // CONFIG_CGROUP_BPF) is told about, not refused.
    nlohmann::json j = cgroup.to_json();
    const bool hybrid =
        j.value("layout", "") == "hybrid" && j.contains("paths") && !j["paths"].empty();
    const bool allow_all = rules.size() == 1 && rules[0].type == 'a' && rules[0].allow;
    if (!hybrid && v1->dir("devices").empty() && !allow_all)
        throw Error("no devices cgroup controller is mounted under " +
                    j.value("root", std::string()) +
                    ": vessel cannot keep the container from opening the host's devices");
    if (hybrid) {
        try {
            attach_program(j["paths"].back().get<std::string>(), rules);
        } catch (const SysError& e) {
            if (v1->dir("devices").empty()) throw;
            spdlog::warn("{} (the v1 devices controller still enforces the device rules)",
                         e.what());
        }
    }
}

}  // namespace vessel::device_cgroup
