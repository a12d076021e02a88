#include <gtest/gtest.h>

#include "temp_dir_fixture.hpp"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <sstream>
#include <thread>

#include "vessel/network/network_store.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

using namespace vessel;
using namespace vessel::network;

namespace {

class NetworkStoreTest : public vessel::test_support::TempDirTest {
  protected:
    NetworkStore store() { return NetworkStore(root_ + "/data", root_ + "/run"); }
    static Lease lease_for(const std::string& id) {
        Lease l;
        l.container_id = id;
        l.container_name = "c-" + id;
        l.hostname = id;
        return l;
    }
    std::string error_of(const std::function<void()>& f) {
        try {
            f();
        } catch (const Error& e) {
            return e.what();
        }
        return "";
    }
};

}  // namespace

TEST_F(NetworkStoreTest, CreateFindListRoundTrip) {
    auto s = store();
    const auto made = s.create("web", Subnet::parse("10.90.0.0/16"), std::nullopt);
    EXPECT_EQ(made.id.size(), 64u);
    EXPECT_EQ(made.bridge, "vbr-" + made.id.substr(0, 8));
    EXPECT_EQ(made.gateway.str(), "10.90.0.1");
    EXPECT_TRUE(made.user_defined);
    EXPECT_TRUE(fs::exists(root_ + "/data/networks/web.json"));

    const auto back = s.get("web");
    EXPECT_EQ(back.id, made.id);
    EXPECT_EQ(back.subnet, made.subnet);
    EXPECT_EQ(back.created_ns, made.created_ns);
    EXPECT_EQ(s.get(made.id).name, "web");
    EXPECT_EQ(s.get(made.id.substr(0, 6)).name, "web");

    s.create("api", Subnet::parse("10.91.0.0/24"), Ipv4::parse("10.91.0.254"));
    const auto all = s.list();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "api");
    EXPECT_EQ(all[0].gateway.str(), "10.91.0.254");
    EXPECT_EQ(all[1].name, "web");
    EXPECT_FALSE(s.find("nope"));
    EXPECT_EQ(error_of([&] { s.get("nope"); }), "network nope not found");
}

TEST_F(NetworkStoreTest, RefusesDuplicatesOverlapsAndBadInput) {
    auto s = store();
    s.create("web", Subnet::parse("10.90.0.0/16"), std::nullopt);
    EXPECT_EQ(error_of([&] { s.create("web", Subnet::parse("10.99.0.0/16"), std::nullopt); }),
              "network with name web already exists");
    EXPECT_NE(error_of([&] {
                  s.create("other", Subnet::parse("10.90.5.0/24"), std::nullopt);
              }).find("Pool overlaps with other one on this address space"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  s.create("gw", Subnet::parse("10.92.0.0/16"), Ipv4::parse("10.93.0.1"));
              }).find("invalid gateway"),
              std::string::npos);
    EXPECT_EQ(s.list().size(), 1u);  // nothing left by the failures
}

TEST_F(NetworkStoreTest, BadNames) {
    auto s = store();
    for (const char* bad : {"", "-x", ".x", "_x", "a/b", "a b", "../x", "x\n"})
        EXPECT_NE(error_of([&] {
                      s.create(bad, std::nullopt, std::nullopt);
                  }).find("invalid network name"),
                  std::string::npos)
            << bad;
    for (const char* reserved : {"vessel", "host", "none", "bridge"})
        EXPECT_NE(error_of([&] { s.create(reserved, std::nullopt, std::nullopt); }), "")
            << reserved;
    EXPECT_FALSE(s.find("../data/networks/x"));
    EXPECT_TRUE(s.list().empty());
    // Single characters and docker's punctuation are fine.
    s.create("a", Subnet::parse("10.1.0.0/16"), std::nullopt);
    s.create("A1_b.c-d", Subnet::parse("10.2.0.0/16"), std::nullopt);
    EXPECT_EQ(s.list().size(), 2u);
}

TEST_F(NetworkStoreTest, ChosenSubnetAvoidsOtherNetworks) {
    auto s = store();
    const auto a = s.create("a", std::nullopt, std::nullopt);
    const auto b = s.create("b", std::nullopt, std::nullopt);
    EXPECT_FALSE(a.subnet.overlaps(b.subnet));
    for (const auto& used : host_subnets_in_use()) {
        EXPECT_FALSE(a.subnet.overlaps(used)) << used.str();
        EXPECT_FALSE(b.subnet.overlaps(used)) << used.str();
    }
}

TEST_F(NetworkStoreTest, DefaultNetworkIsCreatedOnceUnderConcurrency) {
    std::vector<std::string> ids(8);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < ids.size(); ++i)
        threads.emplace_back([&, i] {
            try {
                ids[i] = store().default_network().id;
            } catch (const std::exception& e) {
                ids[i] = e.what();
            }
        });
    for (auto& t : threads) t.join();
    for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
    const auto all = store().list();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].name, "vessel");
    EXPECT_EQ(all[0].bridge, "vessel0");
    EXPECT_FALSE(all[0].user_defined);
    EXPECT_EQ(all[0].gateway, all[0].subnet.first_host());
    EXPECT_EQ(store().default_network().id, ids[0]);
}

TEST_F(NetworkStoreTest, FiftyConcurrentProcessesGetFiftyDistinctAddresses) {
    const auto net = store().create("many", Subnet::parse("10.50.0.0/24"), std::nullopt);
    std::vector<pid_t> children;
    for (int i = 0; i < 50; ++i) {
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            try {
                store().allocate(net, lease_for("c" + std::to_string(i)));
                ::_exit(0);
            } catch (...) {
                ::_exit(1);
            }
        }
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    const auto leases = store().leases(net);
    ASSERT_EQ(leases.size(), 50u);
    std::set<uint32_t> ips;
    std::set<std::string> owners;
    for (const auto& l : leases) {
        ips.insert(l.ip.value);
        owners.insert(l.container_id);
        EXPECT_TRUE(net.subnet.contains(l.ip));
        EXPECT_NE(l.ip, net.gateway);
    }
    EXPECT_EQ(ips.size(), 50u);
    EXPECT_EQ(owners.size(), 50u);
    // The lowest free addresses, in order: .2 to .51.
    EXPECT_EQ(leases.front().ip.str(), "10.50.0.2");
    EXPECT_EQ(leases.back().ip.str(), "10.50.0.51");
}

TEST_F(NetworkStoreTest, FiftyConcurrentThreadsGetFiftyDistinctAddresses) {
    const auto net = store().create("many", Subnet::parse("10.50.0.0/24"), std::nullopt);
    std::vector<std::thread> threads;
    std::atomic<int> failures = 0;
    for (int i = 0; i < 50; ++i)
        threads.emplace_back([&, i] {
            try {
                store().allocate(net, lease_for("t" + std::to_string(i)));
            } catch (...) {
                ++failures;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures, 0);
    std::set<uint32_t> ips;
    for (const auto& l : store().leases(net)) ips.insert(l.ip.value);
    EXPECT_EQ(ips.size(), 50u);
}

// A vessel killed after taking a lease and before recording it: the next allocation that is told
// which containers exist takes the address back.
TEST_F(NetworkStoreTest, LeasesOfContainersThatAreGoneAreTakenBack) {
    auto s = store();
    const auto net = s.create("tiny", Subnet::parse("10.60.0.0/30"), std::nullopt);
    s.allocate(net, lease_for("dead"));
    auto only_live = [](const std::string& id) { return id == "live"; };
    EXPECT_EQ(s.allocate(net, lease_for("live"), std::nullopt, only_live).ip.str(), "10.60.0.2");
    ASSERT_EQ(s.leases(net).size(), 1u);
    EXPECT_EQ(s.leases(net)[0].container_id, "live");
    // A live container's lease is never taken.
    EXPECT_EQ(error_of([&] { s.allocate(net, lease_for("new"), std::nullopt, only_live); }),
              "no available IPv4 addresses on network tiny (10.60.0.0/30)");
}

TEST_F(NetworkStoreTest, SlashThirtyHoldsOneContainer) {
    auto s = store();
    const auto net = s.create("tiny", Subnet::parse("10.60.0.0/30"), std::nullopt);
    const auto l = s.allocate(net, lease_for("one"));
    EXPECT_EQ(l.ip.str(), "10.60.0.2");
    EXPECT_EQ(l.container_name, "c-one");
    EXPECT_EQ(error_of([&] { s.allocate(net, lease_for("two")); }),
              "no available IPv4 addresses on network tiny (10.60.0.0/30)");
    // The same container asking again keeps its address.
    EXPECT_EQ(s.allocate(net, lease_for("one")).ip, l.ip);
    s.release(net, "one");
    EXPECT_TRUE(s.leases(net).empty());
    EXPECT_EQ(s.allocate(net, lease_for("two")).ip.str(), "10.60.0.2");
}

TEST_F(NetworkStoreTest, WantedAddress) {
    auto s = store();
    const auto net = s.create("w", Subnet::parse("10.70.0.0/24"), std::nullopt);
    EXPECT_EQ(s.allocate(net, lease_for("a"), Ipv4::parse("10.70.0.9")).ip.str(), "10.70.0.9");
    EXPECT_NE(error_of([&] {
                  s.allocate(net, lease_for("b"), Ipv4::parse("10.70.0.9"));
              }).find("already in use"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  s.allocate(net, lease_for("b"), Ipv4::parse("10.70.0.1"));
              }).find("already in use"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  s.allocate(net, lease_for("b"), Ipv4::parse("10.71.0.9"));
              }).find("does not belong"),
              std::string::npos);
    EXPECT_EQ(s.allocate(net, lease_for("b")).ip.str(), "10.70.0.2");
}

TEST_F(NetworkStoreTest, ReleaseIsQuiet) {
    auto s = store();
    const auto net = s.create("r", Subnet::parse("10.80.0.0/24"), std::nullopt);
    s.release(net, "never-had-one");  // no leases directory yet
    s.allocate(net, lease_for("a"));
    s.allocate(net, lease_for("b"));
    s.release(net, "nobody");
    s.release(net, "a");
    const auto left = s.leases(net);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].container_id, "b");
    EXPECT_EQ(left[0].ip.str(), "10.80.0.3");
}

TEST_F(NetworkStoreTest, RemoveRefusesActiveEndpointsUnlessTheirContainersAreGone) {
    auto s = store();
    const auto net = s.create("busy", Subnet::parse("10.81.0.0/24"), std::nullopt);
    s.allocate(net, lease_for("alive"));
    EXPECT_NE(error_of([&] {
                  s.remove("busy", [](const std::string&) { return true; });
              }).find("has active endpoints"),
              std::string::npos);
    EXPECT_TRUE(s.find("busy"));
    s.remove("busy", [](const std::string&) { return false; });
    EXPECT_FALSE(s.find("busy"));
    EXPECT_FALSE(fs::exists(root_ + "/run/.networks/busy"));
    // A lease taken with the record read before the removal is refused.
    EXPECT_EQ(error_of([&] { s.allocate(net, lease_for("late")); }), "network busy not found");
    // The name can be used again, without the old leases.
    const auto again = s.create("busy", Subnet::parse("10.81.0.0/24"), std::nullopt);
    EXPECT_TRUE(s.leases(again).empty());
    EXPECT_EQ(error_of([&] { s.remove("nope", [](const std::string&) { return false; }); }),
              "network nope not found");
}

TEST_F(NetworkStoreTest, DefaultNetworkCannotBeRemoved) {
    auto s = store();
    s.default_network();
    EXPECT_NE(error_of([&] { s.remove("vessel", [](const std::string&) { return false; }); }), "");
    EXPECT_TRUE(s.find("vessel"));
}

TEST(NetworkSubnetChoice, FirstFreeDockerPool) {
    EXPECT_EQ(choose_subnet({}).str(), "172.17.0.0/16");
    EXPECT_EQ(choose_subnet({Subnet::parse("172.17.0.1/32"), Subnet::parse("172.18.5.0/24")}).str(),
              "172.19.0.0/16");
    EXPECT_EQ(choose_subnet({Subnet::parse("172.16.0.0/12")}).str(), "192.168.0.0/20");
    EXPECT_EQ(
        choose_subnet({Subnet::parse("172.16.0.0/12"), Subnet::parse("192.168.0.0/19")}).str(),
        "192.168.32.0/20");
    EXPECT_THROW(choose_subnet({Subnet::parse("0.0.0.0/0")}), Error);
}

TEST(NetworkSubnetChoice, HostSubnetsNeverIncludeTheDefaultRoute) {
    for (const auto& s : host_subnets_in_use()) EXPECT_GT(s.prefix, 0) << s.str();
}

// Every route of this namespace but the default one, read here by hand: "000200C0" is the bytes
// c0 00 02 00 in memory order, 192.0.2.0.
TEST(NetworkSubnetChoice, HostSubnetsIncludeEveryRoute) {
    const auto used = host_subnets_in_use();
    std::istringstream routes(fs::read_file("/proc/net/route"));
    std::string line;
    std::getline(routes, line);
    while (std::getline(routes, line)) {
        std::istringstream f(line);
        std::string iface, dest, gw, flags, refcnt, use, metric, mask;
        f >> iface >> dest >> gw >> flags >> refcnt >> use >> metric >> mask;
        if (mask == "00000000") continue;
        std::string dotted;
        for (int byte = 3; byte >= 0; --byte)
            dotted += std::to_string(std::stoi(dest.substr(byte * 2, 2), nullptr, 16)) +
                      (byte ? "." : "");
        bool found = false;
        for (const auto& s : used) found = found || s.base.str() == dotted;
        EXPECT_TRUE(found) << dotted;
    }
}

// A name that is also a prefix of another network's id ("b" for an id "b3f...") is a new name.
TEST_F(NetworkStoreTest, NameThatLooksLikeAnIdPrefixIsFree) {
    auto s = store();
    const auto first = s.create("first", Subnet::parse("10.3.0.0/16"), std::nullopt);
    const std::string prefix = first.id.substr(0, 1);
    const auto second = s.create(prefix, Subnet::parse("10.4.0.0/16"), std::nullopt);
    EXPECT_NE(second.id, first.id);
    EXPECT_EQ(s.get(prefix).id, second.id);  // the name wins over the id prefix
    EXPECT_EQ(s.list().size(), 2u);
}
