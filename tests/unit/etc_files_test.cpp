#include <gtest/gtest.h>

#include "temp_dir_fixture.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "vessel/network/etc_files.hpp"
#include "vessel/util/fs.hpp"

using namespace vessel;
using namespace vessel::network;

namespace {

class EtcFilesTest : public vessel::test_support::TempDirTest {
  protected:
    std::string container_dir(const std::string& id) {
        const std::string d = root_ + "/containers/" + id;
        fs::ensure_dir(root_ + "/containers", 0700);
        fs::ensure_dir(d, 0700);
        return d;
    }
    static ino_t inode_of(const std::string& path) {
        struct stat st {};
        EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
        return st.st_ino;
    }
    static Lease lease(const std::string& id, const std::string& name,
                       std::vector<std::string> aliases = {}) {
        Lease l;
        l.container_id = id;
        l.container_name = name;
        l.hostname = id.substr(0, 12);
        l.aliases = std::move(aliases);
        return l;
    }
};

std::string read_once(const std::string& path) {
    char buf[65536];
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    const ssize_t n = fd ? ::read(fd.get(), buf, sizeof buf) : -1;
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

const char* kHead =
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\n"
    "ff00::0\tip6-mcastprefix\n"
    "ff02::1\tip6-allnodes\n"
    "ff02::2\tip6-allrouters\n";

}  // namespace

TEST_F(EtcFilesTest, WritesTheThreeFiles) {
    const std::string dir = container_dir("c1");
    Lease l = lease("c1c1c1c1c1c1c1", "web", {"www"});
    l.ip = Ipv4::parse("10.5.0.2");
    DnsConfig dns{{"1.1.1.1"}, {"example.test"}, {"ndots:3"}};
    write_etc_files(dir, "myhost", "web", dns, {{"db", "10.9.9.9"}}, &l, true,
                    {{Ipv4::parse("10.5.0.3"), {"api", "apihost"}}});
    EXPECT_EQ(fs::read_file(dir + "/hostname"), "myhost\n");
    EXPECT_EQ(fs::read_file(dir + "/resolv.conf"),
              "search example.test\nnameserver 1.1.1.1\noptions ndots:3\n");
    EXPECT_EQ(fs::read_file(dir + "/hosts"), std::string(kHead) +
                                                 "10.9.9.9\tdb\n"
                                                 "10.5.0.2\tmyhost web www\n"
                                                 "10.5.0.3\tapi apihost\n");
}

TEST_F(EtcFilesTest, WithoutLeaseNoOwnAddress) {
    const std::string dir = container_dir("c2");
    write_etc_files(dir, "h", "n", {}, {}, nullptr, false, {});
    EXPECT_EQ(fs::read_file(dir + "/hosts"), kHead);
    EXPECT_TRUE(fs::exists(dir + "/resolv.conf"));
}

TEST_F(EtcFilesTest, PeersFromLeases) {
    std::vector<Lease> leases{lease("aaa", "a", {"alias-a"}), lease("bbb", "b"), lease("ccc", "")};
    leases[0].ip = Ipv4::parse("10.0.0.2");
    leases[1].ip = Ipv4::parse("10.0.0.3");
    leases[2].ip = Ipv4::parse("10.0.0.4");
    const auto peers = hosts_peers(leases, "bbb");
    ASSERT_EQ(peers.size(), 2u);
    EXPECT_EQ(peers[0].ip.str(), "10.0.0.2");
    EXPECT_EQ(peers[0].names, (std::vector<std::string>{"a", "aaa", "alias-a"}));
    EXPECT_EQ(peers[1].names, (std::vector<std::string>{"ccc"}));
}

TEST_F(EtcFilesTest, RefreshRewritesEveryPeerInPlace) {
    NetworkStore store(root_ + "/data", root_ + "/run");
    const auto net = store.create("app", Subnet::parse("10.7.0.0/24"), std::nullopt);
    const auto state_dir_of = [&](const std::string& id) { return root_ + "/containers/" + id; };

    // Container one starts alone.
    const Lease one = store.allocate(net, lease("one111111111111", "one"));
    write_etc_files(container_dir(one.container_id), "one-host", "one", {}, {}, &one, true,
                    hosts_peers(store.leases(net), one.container_id));
    const std::string one_hosts = state_dir_of(one.container_id) + "/hosts";
    const ino_t inode = inode_of(one_hosts);
    EXPECT_EQ(fs::read_file(one_hosts), std::string(kHead) + "10.7.0.2\tone-host one\n");

    // Container two starts: it lists one, and the refresh makes one list two.
    const Lease two = store.allocate(net, lease("two222222222222", "two", {"second"}));
    write_etc_files(container_dir(two.container_id), "two-host", "two", {}, {{"extra", "1.2.3.4"}},
                    &two, true, hosts_peers(store.leases(net), two.container_id));
    refresh_peer_hosts(store, net, state_dir_of);
    EXPECT_EQ(fs::read_file(one_hosts), std::string(kHead) +
                                            "10.7.0.2\tone-host one\n"
                                            "10.7.0.3\ttwo two222222222 second\n");
    EXPECT_EQ(inode_of(one_hosts), inode);  // the bind mount still shows it
    EXPECT_EQ(fs::read_file(state_dir_of(two.container_id) + "/hosts"),
              std::string(kHead) +
                  "1.2.3.4\textra\n"
                  "10.7.0.3\ttwo-host two second\n"
                  "10.7.0.2\tone one111111111\n");

    // Two ends: one's file loses the line. A lease whose directory is gone is skipped.
    store.release(net, two.container_id);
    store.allocate(net, lease("ghost33333333333", "ghost"));
    refresh_peer_hosts(store, net, state_dir_of);
    EXPECT_EQ(fs::read_file(one_hosts), std::string(kHead) +
                                            "10.7.0.2\tone-host one\n"
                                            "10.7.0.3\tghost ghost3333333\n");
    EXPECT_EQ(inode_of(one_hosts), inode);
}

TEST_F(EtcFilesTest, RefreshLeavesTheDefaultNetworkAlone) {
    NetworkStore store(root_ + "/data", root_ + "/run");
    const auto net = store.default_network();
    const Lease a = store.allocate(net, lease("aaaa", "a"));
    const Lease b = store.allocate(net, lease("bbbb", "b"));
    const auto state_dir_of = [&](const std::string& id) { return root_ + "/containers/" + id; };
    write_etc_files(container_dir(a.container_id), "a", "a", {}, {}, &a, true, {});
    write_etc_files(container_dir(b.container_id), "b", "b", {}, {}, &b, true, {});
    refresh_peer_hosts(store, net, state_dir_of);
    EXPECT_EQ(fs::read_file(state_dir_of("aaaa") + "/hosts"),
              std::string(kHead) + a.ip.str() + "\ta\n");
}

// A container writing its own hosts file while a peer refreshes it: each write is whole, never
// the tail of a longer text left behind a shorter one.
TEST_F(EtcFilesTest, ConcurrentRewritesNeverMixTwoTexts) {
    NetworkStore store(root_ + "/data", root_ + "/run");
    const auto net = store.create("mix", Subnet::parse("10.8.0.0/24"), std::nullopt);
    const auto state_dir_of = [&](const std::string& id) { return root_ + "/containers/" + id; };
    const Lease one = store.allocate(net, lease("one111111111111", "one"));
    store.allocate(net, lease("two222222222222", "two"));
    const std::string dir = container_dir(one.container_id);
    // The container's own write lists a long-named stale peer: longer than the refresh's text.
    const std::vector<HostsPeer> stale{
        {Ipv4::parse("10.8.0.99"), {std::string(200, 'x'), std::string(200, 'y')}}};
    write_etc_files(dir, "one", "one", {}, {}, &one, true, stale);
    const std::string own_write = fs::read_file(dir + "/hosts");
    refresh_peer_hosts(store, net, state_dir_of);
    const std::string refreshed = fs::read_file(dir + "/hosts");
    ASSERT_NE(own_write, refreshed);

    std::atomic<bool> stop = false;
    std::thread writer([&] {
        for (int i = 0; i < 300; ++i) write_etc_files(dir, "one", "one", {}, {}, &one, true, stale);
        stop = true;
    });
    std::thread refresher([&] {
        while (!stop) refresh_peer_hosts(store, net, state_dir_of);
    });
    int bad = 0;
    std::string example;
    while (!stop) {
        // One read(2): fs::read_file reads until EOF in several calls, and a later call can
        // catch the tail of the next writer's text, which is the reader's mixture, not ours.
        const std::string seen = read_once(dir + "/hosts");
        // A read may catch a write half-way (a prefix): what must never show is a mixture.
        if (!own_write.starts_with(seen) && !refreshed.starts_with(seen)) {
            ++bad;
            example = seen;
        }
    }
    writer.join();
    refresher.join();
    const std::string last = fs::read_file(dir + "/hosts");
    EXPECT_TRUE(last == own_write || last == refreshed);
    EXPECT_EQ(bad, 0) << example;
}
