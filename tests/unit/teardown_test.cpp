// The one teardown (teardown.hpp) and the state store's whole-or-nothing directories, without
// root: a state root in /tmp, containers without cgroups or processes.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "temp_dir_fixture.hpp"

#include "vessel/core/state.hpp"
#include "vessel/launch/teardown.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace vessel {
namespace {

class TeardownTest : public vessel::test_support::TempDirTest {
  protected:
    ContainerState created(char c, const std::string& name = "", bool remove = false) {
        ContainerState s;
        s.spec.id = std::string(64, c);
        s.spec.name = name;
        s.spec.remove = remove;
        s.spec.args = {"true"};
        s.status = Status::kRunning;
        store().create(s);
        return s;
    }
    StateStore store() const { return StateStore(root_); }
    // A pid that is certainly dead: a child we started and reaped.
    static pid_t dead_pid() {
        pid_t pid = ::fork();
        if (pid == 0) ::_exit(0);
        ::waitpid(pid, nullptr, 0);
        return pid;
    }
};

TEST_F(TeardownTest, ExitedIsRecordedOnceAndTheDirectoryStays) {
    ContainerState s = created('a');
    teardown::OwnedResources owned;
    teardown::end(store(), s, owned, teardown::Ending::kExited, 3);
    ContainerState on_disk = store().load(s.spec.id);
    EXPECT_EQ(on_disk.status, Status::kExited);
    EXPECT_EQ(on_disk.exit_code, 3);
    // The janitor (or rm) coming later does not overwrite the exit the owner recorded.
    teardown::end_recorded(store(), s.spec.id, teardown::Ending::kOwnerDied, 137);
    EXPECT_EQ(store().load(s.spec.id).exit_code, 3);
}

TEST_F(TeardownTest, RemoveFailedStartAndRmLeaveNothing) {
    for (auto how : {teardown::Ending::kStartFailed, teardown::Ending::kRemoved}) {
        ContainerState s = created('b', "web");
        teardown::OwnedResources owned;
        teardown::end(store(), s, owned, how, 125);
        EXPECT_FALSE(fs::exists(store().dir_of(s.spec.id)));
        EXPECT_FALSE(fs::exists(root_ + "/.names/web"));
    }
    ContainerState rm = created('c', "", /*remove=*/true);
    teardown::OwnedResources owned;
    teardown::end(store(), rm, owned, teardown::Ending::kExited, 0);
    EXPECT_FALSE(fs::exists(store().dir_of(rm.spec.id)));
    // Gone already: quiet.
    teardown::end_recorded(store(), rm.spec.id, teardown::Ending::kRemoved, 0);
}

TEST_F(TeardownTest, ACreationOrRemovalKilledHalfWayIsSweptOnceItsProcessIsDead) {
    created('d');  // makes the root and .names
    const std::string id(64, 'e');
    const std::string dead =
        root_ + "/" + std::string(".new-") + id + "." + std::to_string(dead_pid());
    const std::string alive =
        root_ + "/" + std::string(".new-") + id + "f." + std::to_string(::getpid());
    const std::string gone =
        root_ + "/" + std::string(".gone-") + id + "." + std::to_string(dead_pid());
    for (const auto* dir : {&dead, &alive, &gone}) {
        ASSERT_EQ(::mkdir(dir->c_str(), 0700), 0);
        fs::write_file_atomic(*dir + "/state.json.tmp.1", "{");  // what a kill leaves
    }
    ASSERT_EQ(::symlink(id.c_str(), (root_ + "/.names/orphan").c_str()), 0);
    store().sweep();
    EXPECT_FALSE(fs::exists(dead));
    EXPECT_FALSE(fs::exists(gone));
    EXPECT_TRUE(fs::exists(alive));  // its creator (we) may still be at work
    EXPECT_FALSE(fs::exists(root_ + "/.names/orphan"));
    EXPECT_TRUE(fs::exists(store().state_path(std::string(64, 'd'))));  // never a container
    // Nothing of either ever shows as a container.
    EXPECT_EQ(store().list_ids().size(), 1u);
}

TEST_F(TeardownTest, ANameHeldByACreationInProgressIsNotStale) {
    created('d');
    const std::string id(64, 'f');
    const std::string building =
        root_ + "/" + std::string(".new-") + id + "." + std::to_string(::getpid());
    ASSERT_EQ(::mkdir(building.c_str(), 0700), 0);
    ASSERT_EQ(::symlink(id.c_str(), (root_ + "/.names/busy").c_str()), 0);
    store().sweep();
    EXPECT_TRUE(fs::exists(root_ + "/.names/busy"));
    ContainerState other;
    other.spec.id = std::string(64, '1');
    other.spec.name = "busy";
    EXPECT_THROW(store().create(other), Error);
    fs::remove_tree(building);
}

}  // namespace
}  // namespace vessel
