#include <gtest/gtest.h>

#include "temp_dir_fixture.hpp"

#include <stdlib.h>

#include "vessel/core/state.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

using namespace vessel;

namespace {

class StateStoreTest : public vessel::test_support::TempDirTest {
  protected:
    ContainerState make(const std::string& id_char, const std::string& name = "") {
        ContainerState s;
        s.spec.id = std::string(64, id_char[0]);
        s.spec.name = name;
        s.spec.image = "/images/busybox";
        s.spec.args = {"sh", "-c", "echo hi"};
        s.spec.env = {"PATH=/bin"};
        s.spec.resources.memory = 64 << 20;
        s.created_ns = 1'700'000'000'123'456'789;
        return s;
    }
};

}  // namespace

TEST_F(StateStoreTest, RoundTrip) {
    StateStore store(root_);
    auto s = make("a", "web");
    s.status = Status::kRunning;
    s.init = {1234, 5678};
    s.exit_code = 3;
    s.cgroup = {{"layout", "unified"}, {"id", s.spec.id}};
    store.create(s);
    auto back = store.load(s.spec.id);
    EXPECT_EQ(back.spec.args, s.spec.args);
    EXPECT_EQ(back.spec.name, "web");
    EXPECT_EQ(back.spec.resources.memory, 64 << 20);
    EXPECT_EQ(back.spec.resources.pids_limit, Resources::kDefaultPidsLimit);
    EXPECT_EQ(back.status, Status::kRunning);
    EXPECT_EQ(back.init.pid, 1234);
    EXPECT_EQ(back.init.start_time, 5678u);
    EXPECT_EQ(back.exit_code, 3);
    EXPECT_EQ(back.created_ns, s.created_ns);
    EXPECT_EQ(back.cgroup["layout"], "unified");
}

TEST_F(StateStoreTest, NamesAreUniqueAndResolve) {
    StateStore store(root_);
    auto a = make("a", "web");
    store.create(a);
    auto b = make("b", "web");
    EXPECT_THROW(store.create(b), Error);
    EXPECT_FALSE(fs::exists(store.dir_of(b.spec.id)));  // nothing left by the failed create
    EXPECT_EQ(store.resolve("web"), a.spec.id);
    EXPECT_EQ(store.resolve("aaaa"), a.spec.id);
    EXPECT_THROW(store.resolve("nope"), Error);
    store.remove(a);
    EXPECT_THROW(store.resolve("web"), Error);
    store.create(b);  // the name is free again
    EXPECT_EQ(store.resolve("web"), b.spec.id);
}

TEST_F(StateStoreTest, AmbiguousPrefix) {
    StateStore store(root_);
    auto a = make("a");
    auto b = make("a");
    b.spec.id[63] = 'b';
    store.create(a);
    store.create(b);
    EXPECT_THROW(store.resolve("aaa"), Error);
    EXPECT_EQ(store.resolve(b.spec.id), b.spec.id);
    EXPECT_EQ(store.list_ids().size(), 2u);
}

TEST_F(StateStoreTest, StaleNameReservationIsReclaimed) {
    StateStore store(root_);
    auto a = make("a", "db");
    store.create(a);
    fs::remove_tree(store.dir_of(a.spec.id));  // as if the container vanished in a crash
    auto b = make("b", "db");
    EXPECT_NO_THROW(store.create(b));
}

TEST_F(StateStoreTest, CorruptStateIsAClearError) {
    StateStore store(root_);
    auto a = make("a");
    store.create(a);
    fs::write_file_atomic(store.state_path(a.spec.id), "{not json");
    EXPECT_THROW(store.load(a.spec.id), Error);
}
