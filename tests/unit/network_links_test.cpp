// links.hpp against the real kernel, without touching the machine: every test forks a "host"
// process that moves into network and mount namespaces of its own (bridge, veths, sysctls and
// /sys live and die there) and a "container" process in a third network namespace. Needs root
// (CAP_SYS_ADMIN for unshare); skipped otherwise, as on a developer's account.
//
// The forked processes cannot use gtest's assertions: they write one line per failed check to a
// pipe, and the test reports each line as a failure.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "vessel/network/links.hpp"
#include "vessel/util/error.hpp"

namespace vessel::network {
namespace {

constexpr uint32_t k10_99_0_0 = 0x0a630000;

NetworkRecord test_network(const std::string& bridge = "vbr-test") {
    NetworkRecord n;
    n.name = "linktest";
    n.id = std::string(64, 'a');
    n.bridge = bridge;
    n.subnet = Subnet{Ipv4{k10_99_0_0}, 16};
    n.gateway = Ipv4{k10_99_0_0 + 1};
    return n;
}

// The failures of a forked process, one per line, written to `fd`.
struct Checks {
    int fd;
    void expect(bool ok, const std::string& what) const {
        if (ok) return;
        const std::string line = what + "\n";
        [[maybe_unused]] auto n = ::write(fd, line.data(), line.size());
    }
};

// Runs `body` in a forked process and turns the lines it reports into test failures.
void in_child(const std::function<void(const Checks&)>& body) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::close(fds[0]);
        Checks checks{fds[1]};
        try {
            body(checks);
        } catch (const std::exception& e) {
            checks.expect(false, std::string("threw: ") + e.what());
        }
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string report;
    char buffer[512];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, n);
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    std::istringstream lines(report);
    for (std::string line; std::getline(lines, line);) ADD_FAILURE() << line;
}

// The "host": private network and mount namespaces, with a sysfs of that network namespace.
void become_private_host() {
    if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) throw SysError("unshare", errno);
    check(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "make / private");
    check(::mount("sysfs", "/sys", "sysfs", 0, nullptr), "mount sysfs");
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

// Output of `argv` run in the network namespace of `netns_pid` (0: this one).
std::string run(pid_t netns_pid, std::vector<std::string> argv) {
    int fds[2];
    if (::pipe(fds) != 0) throw SysError("pipe", errno);
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (netns_pid != 0) {
            const int ns =
                ::open(("/proc/" + std::to_string(netns_pid) + "/ns/net").c_str(), O_RDONLY);
            if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) ::_exit(126);
        }
        ::dup2(fds[1], 1);
        const int null = ::open("/dev/null", O_WRONLY);  // ip's "Device does not exist"
        ::dup2(null, 2);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, n);
    ::close(fds[0]);
    ::waitpid(pid, nullptr, 0);
    return out;
}

nlohmann::json ip_json(pid_t netns_pid, std::vector<std::string> args) {
    args.insert(args.begin(), {"ip", "-j", "-d"});
    const std::string out = run(netns_pid, args);
    return out.empty() ? nlohmann::json::array() : nlohmann::json::parse(out);
}

bool has_flag(const nlohmann::json& link, const std::string& flag) {
    for (const auto& f : link.value("flags", nlohmann::json::array())) {
        if (f == flag) return true;
    }
    return false;
}

bool has_address(const nlohmann::json& links, const std::string& ip, int prefix) {
    for (const auto& link : links) {
        for (const auto& a : link.value("addr_info", nlohmann::json::array())) {
            if (a.value("local", "") == ip && a.value("prefixlen", 0) == prefix) return true;
        }
    }
    return false;
}

// A "container": a process in a network namespace of its own, which runs configure_container_side
// when told to (one byte on `go`), reports its time, and waits for the end (`go` closed).
struct Container {
    pid_t pid = -1;
    int go = -1, done = -1;

    static Container start(const std::function<void()>& when_told) {
        int to_child[2], from_child[2];
        check(::pipe(to_child), "pipe");
        check(::pipe(from_child), "pipe");
        Container c;
        c.pid = ::fork();
        if (c.pid == 0) {
            ::close(to_child[1]);
            ::close(from_child[0]);
            char byte = 0;
            const bool ok = ::unshare(CLONE_NEWNET) == 0;
            [[maybe_unused]] auto n = ::write(from_child[1], ok ? "R" : "F", 1);  // ready
            if (::read(to_child[0], &byte, 1) == 1) {
                std::string answer = "ok";
                try {
                    when_told();
                } catch (const std::exception& e) {
                    answer = e.what();
                }
                n = ::write(from_child[1], answer.data(), answer.size());
                ::close(from_child[1]);
                n = ::read(to_child[0], &byte, 1);  // until the test is done looking
            }
            ::_exit(0);
        }
        ::close(to_child[0]);
        ::close(from_child[1]);
        c.go = to_child[1];
        c.done = from_child[0];
        char ready = 0;
        if (::read(c.done, &ready, 1) != 1 || ready != 'R') throw Error("container not ready");
        return c;
    }
    // Tells it to run its part; returns what it answered ("ok" or the error).
    std::string tell() {
        [[maybe_unused]] auto n = ::write(go, "g", 1);
        std::string answer;
        char buffer[512];
        for (ssize_t r; (r = ::read(done, buffer, sizeof buffer)) > 0;) answer.append(buffer, r);
        return answer;
    }
    void stop() {
        ::close(go);
        ::close(done);
        ::waitpid(pid, nullptr, 0);
    }
};

bool can_unshare_net() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(::unshare(CLONE_NEWNET | CLONE_NEWNS) == 0 ? 0 : 1);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

class NetworkLinksTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!can_unshare_net()) GTEST_SKIP() << "needs root to make network namespaces";
    }
};

double ms_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

TEST(NetworkLinksNameTest, HostVethNameFitsInIfnamsiz) {
    EXPECT_EQ(host_veth_name("0123456789abcdef0123"), "veth0123456789a");
    EXPECT_EQ(host_veth_name("abc"), "vethabc");
}

TEST_F(NetworkLinksTest, BridgeIsUpWithGatewayAndSysctls) {
    in_child([](const Checks& checks) {
        become_private_host();
        const NetworkRecord net = test_network();
        checks.expect(ensure_bridge(net), "the first call makes the bridge (and says so)");
        // Idempotent: the second finds everything done, and says the bridge was there.
        checks.expect(!ensure_bridge(net), "the second finds it");

        const auto links = ip_json(0, {"addr", "show", "dev", "vbr-test"});
        checks.expect(links.size() == 1, "bridge vbr-test exists");
        if (links.size() != 1) return;
        checks.expect(links[0]["linkinfo"].value("info_kind", "") == "bridge", "it is a bridge");
        checks.expect(has_flag(links[0], "UP"), "bridge is up");
        checks.expect(has_address(links, "10.99.0.1", 16), "bridge has 10.99.0.1/16");
        checks.expect(read_file("/proc/sys/net/ipv4/ip_forward") == "1", "ip_forward is 1");
        checks.expect(read_file("/proc/sys/net/ipv4/conf/vbr-test/route_localnet") == "1",
                      "route_localnet is 1 on the bridge");
        checks.expect(read_file("/proc/sys/net/ipv4/conf/lo/route_localnet") == "0",
                      "route_localnet stays 0 elsewhere");

        delete_bridge(net);
        checks.expect(ip_json(0, {"link", "show"}).size() == 1, "only lo is left after delete");
        delete_bridge(net);  // quiet when gone
    });
}

TEST_F(NetworkLinksTest, BringsUpABridgeSomeoneBroughtDown) {
    in_child([](const Checks& checks) {
        become_private_host();
        const NetworkRecord net = test_network();
        ensure_bridge(net);
        run(0, {"ip", "link", "set", "vbr-test", "down"});
        ensure_bridge(net);
        const auto links = ip_json(0, {"link", "show", "dev", "vbr-test"});
        checks.expect(links.size() == 1 && has_flag(links[0], "UP"), "bridge is up again");
    });
}

TEST_F(NetworkLinksTest, RefusesAnInterfaceThatIsNotABridge) {
    in_child([](const Checks& checks) {
        become_private_host();
        run(0, {"ip", "link", "add", "vbr-test", "type", "veth", "peer", "name", "vbr-peer"});
        try {
            ensure_bridge(test_network());
            checks.expect(false, "ensure_bridge accepted a dummy interface");
        } catch (const Error& e) {
            checks.expect(std::string(e.what()).find("not a bridge") != std::string::npos,
                          std::string("error says not a bridge: ") + e.what());
        }
    });
}

TEST_F(NetworkLinksTest, ConcurrentRunsBothMakeTheBridge) {
    in_child([](const Checks& checks) {
        become_private_host();
        for (int round = 0; round < 20; ++round) {
            // Eight runs held at a gate that opens for all at once (the write end closing).
            int gate[2];
            check(::pipe(gate), "pipe");
            std::vector<pid_t> runs;
            for (int i = 0; i < 8; ++i) {
                const pid_t pid = ::fork();
                if (pid == 0) {
                    ::close(gate[1]);
                    char byte;
                    [[maybe_unused]] auto n = ::read(gate[0], &byte, 1);
                    try {
                        ensure_bridge(test_network("vbr-race"));
                        ::_exit(0);
                    } catch (const std::exception& e) {
                        std::fprintf(stderr, "ensure_bridge: %s\n", e.what());
                        ::_exit(1);
                    }
                }
                runs.push_back(pid);
            }
            ::close(gate[0]);
            ::close(gate[1]);
            for (pid_t pid : runs) {
                int status = 0;
                ::waitpid(pid, &status, 0);
                checks.expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                              "round " + std::to_string(round) + ": a racing ensure_bridge failed");
            }
            const auto links = ip_json(0, {"addr", "show", "dev", "vbr-race"});
            checks.expect(links.size() == 1 && has_flag(links[0], "UP") &&
                              has_address(links, "10.99.0.1", 16),
                          "round " + std::to_string(round) + ": bridge up with its address");
            delete_bridge(test_network("vbr-race"));
        }
    });
}

TEST_F(NetworkLinksTest, VethJoinsBridgeAndContainerGetsAddressAndRoute) {
    in_child([](const Checks& checks) {
        become_private_host();
        const NetworkRecord net = test_network();
        ensure_bridge(net);
        // The gateway listens: the container connecting to it proves the whole path works.
        const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in at{};
        at.sin_family = AF_INET;
        at.sin_port = htons(5555);
        at.sin_addr.s_addr = htonl(k10_99_0_0 + 1);
        check(::bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at), "bind");
        check(::listen(listener, 4), "listen");

        Container c = Container::start([&] {
            configure_container_side(Ipv4{k10_99_0_0 + 2}, 16, Ipv4{k10_99_0_0 + 1});
            const auto start = std::chrono::steady_clock::now();
            const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            timeval two_seconds{2, 0};
            ::setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &two_seconds, sizeof two_seconds);
            check(::connect(s, reinterpret_cast<const sockaddr*>(&at), sizeof at),
                  "connect to the gateway 10.99.0.1:5555");
            // A lost first packet shows as ARP's or TCP's retry, one second later.
            if (ms_since(start) > 500) {
                throw Error("the first connection took " + std::to_string(ms_since(start)) +
                            " ms: its first packets were dropped");
            }
        });
        const std::string veth = host_veth_name("0123456789abcdef");
        create_veth(net, veth, c.pid, "02:42:0a:63:00:02");
        // At once, as vessel's child does: the first packets leave right after create_veth.
        const std::string answer = c.tell();
        checks.expect(answer == "ok", "container side: " + answer);

        const auto host = ip_json(0, {"link", "show", "dev", veth});
        checks.expect(host.size() == 1, "host end exists");
        if (host.size() == 1) {
            checks.expect(host[0].value("master", "") == "vbr-test", "host end is on the bridge");
            checks.expect(has_flag(host[0], "UP"), "host end is up");
        }
        checks.expect(read_file("/sys/class/net/" + veth + "/brport/hairpin_mode") == "1",
                      "hairpin mode is on");
        const auto eth0 = ip_json(c.pid, {"link", "show", "dev", "eth0"});
        checks.expect(eth0.size() == 1, "eth0 exists in the container");
        if (eth0.size() == 1) {
            checks.expect(eth0[0].value("address", "") == "02:42:0a:63:00:02", "eth0's MAC");
            checks.expect(eth0[0].value("link_type", "") == "ether", "eth0 is an ethernet link");
        }
        checks.expect(ip_json(0, {"link", "show", "dev", "eth0"}).empty(), "no eth0 on host");

        const auto addrs = ip_json(c.pid, {"addr", "show"});
        checks.expect(has_address(addrs, "10.99.0.2", 16), "eth0 has 10.99.0.2/16");
        for (const auto& link : addrs) {
            checks.expect(has_flag(link, "UP"), link.value("ifname", "?") + " is up");
        }
        const auto routes = ip_json(c.pid, {"route", "show", "default"});
        checks.expect(routes.size() == 1 && routes[0].value("gateway", "") == "10.99.0.1" &&
                          routes[0].value("dev", "") == "eth0",
                      "default route via 10.99.0.1 dev eth0: " + routes.dump());

        // Deleting either end deletes the pair; a second delete is quiet.
        delete_link(veth);
        checks.expect(ip_json(0, {"link", "show", "dev", veth}).empty(), "host end deleted");
        checks.expect(ip_json(c.pid, {"link", "show", "dev", "eth0"}).empty(), "eth0 deleted");
        delete_link(veth);
        c.stop();
    });
}

TEST_F(NetworkLinksTest, VethErrorsSayWhatFailed) {
    in_child([](const Checks& checks) {
        become_private_host();
        const NetworkRecord net = test_network();
        ensure_bridge(net);
        Container c = Container::start([] {});
        create_veth(net, "vethdup", c.pid, "02:42:0a:63:00:02");
        try {
            create_veth(net, "vethdup", c.pid, "02:42:0a:63:00:03");
            checks.expect(false, "a second vethdup was made");
        } catch (const SysError& e) {
            checks.expect(e.err() == EEXIST,
                          "EEXIST, the kernel's errno: " + std::to_string(e.err()));
            checks.expect(
                std::string(e.what()).find("cannot create veth pair vethdup") != std::string::npos,
                std::string("message names the veth: ") + e.what());
        }
        try {
            create_veth(test_network("vbr-none"), "vethnobr", c.pid, "02:42:0a:63:00:04");
            checks.expect(false, "a veth was made for a missing bridge");
        } catch (const SysError& e) {
            checks.expect(std::string(e.what()).find("vbr-none") != std::string::npos,
                          std::string("message names the bridge: ") + e.what());
        }
        c.tell();
        c.stop();

        // A step after the pair exists fails (the "bridge" is a veth): nothing is left behind.
        run(0, {"ip", "link", "add", "vbr-fake", "type", "veth", "peer", "name", "vbr-fake-peer"});
        Container other = Container::start([] {});
        try {
            create_veth(test_network("vbr-fake"), "vethundo", other.pid, "02:42:0a:63:00:05");
            checks.expect(false, "a veth was plugged into a veth");
        } catch (const SysError& e) {
            checks.expect(std::string(e.what()).find("cannot plug vethundo into bridge vbr-fake") !=
                              std::string::npos,
                          std::string("message says what failed: ") + e.what());
        }
        checks.expect(ip_json(0, {"link", "show", "dev", "vethundo"}).empty(),
                      "the half-made pair's host end is deleted");
        checks.expect(ip_json(other.pid, {"link", "show", "dev", "eth0"}).empty(),
                      "the half-made pair's eth0 is deleted");
        other.tell();
        other.stop();
    });
}

// Not a check: the time vessel's start path spends here, per container (printed).
TEST_F(NetworkLinksTest, TimePerContainer) {
    in_child([](const Checks& checks) {
        become_private_host();
        const NetworkRecord net = test_network();
        ensure_bridge(net);
        constexpr int kContainers = 20;
        double bridge_ms = 0, veth_ms = 0, inside_ms = 0;
        for (int i = 0; i < kContainers; ++i) {
            double inside = 0;
            int report[2];
            check(::pipe(report), "pipe");
            Container c = Container::start([&] {
                const auto start = std::chrono::steady_clock::now();
                configure_container_side(Ipv4{k10_99_0_0 + 2 + static_cast<uint32_t>(i)}, 16,
                                         Ipv4{k10_99_0_0 + 1});
                inside = ms_since(start);
                [[maybe_unused]] auto n = ::write(report[1], &inside, sizeof inside);
            });
            auto start = std::chrono::steady_clock::now();
            ensure_bridge(net);
            bridge_ms += ms_since(start);
            start = std::chrono::steady_clock::now();
            create_veth(net, "vethtime" + std::to_string(i), c.pid, "02:42:0a:63:00:02");
            veth_ms += ms_since(start);
            checks.expect(c.tell() == "ok", "container side");
            checks.expect(::read(report[0], &inside, sizeof inside) == sizeof inside, "timing");
            inside_ms += inside;
            ::close(report[0]);
            ::close(report[1]);
            c.stop();
        }
        std::printf(
            "[ timing ] per container, mean of %d: ensure_bridge (existing) %.3f ms, "
            "create_veth %.3f ms, configure_container_side %.3f ms, total %.3f ms\n",
            kContainers, bridge_ms / kContainers, veth_ms / kContainers, inside_ms / kContainers,
            (bridge_ms + veth_ms + inside_ms) / kContainers);
        std::fflush(stdout);
    });
}

}  // namespace
}  // namespace vessel::network
