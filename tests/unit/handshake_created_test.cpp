// The handshake's OCI ending (handshake.hpp): await_created() returns at kCreated, with the pty
// master if one came; end-of-file before kCreated (the child exited) is an error, and so is a
// kCreated that await_exec() (no exec fifo) did not ask for. In one process, no root.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "vessel/launch/handshake.hpp"

namespace vessel::handshake {
namespace {

TEST(HandshakeCreated, AwaitCreatedEndsAtKCreatedWithThePtyMaster) {
    auto [parent, child] = make_pair();
    UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    ASSERT_TRUE(null);
    child.send_pty_master(null.get());
    child.send_created();
    UniqueFd master = parent.await_created();  // returns although the child end is still open
    EXPECT_TRUE(master);
}

TEST(HandshakeCreated, EndOfFileBeforeKCreatedIsAnError) {
    auto [parent, child] = make_pair();
    child.close();
    EXPECT_THROW(parent.await_created(), Error);
}

TEST(HandshakeCreated, KCreatedWithoutAnExecFifoIsOutOfTurn) {
    auto [parent, child] = make_pair();
    child.send_created();
    child.close();
    EXPECT_THROW(parent.await_exec(), Error);
}

// After kCreated, `create` has exited: a failure of the child after `start` (its confinement,
// execve) has nobody on the handshake, so it goes to the child's stderr, which the engine reads
// (conmon's pipe, the container's log), instead of vanishing.
TEST(HandshakeCreated, AFailureWithTheParentGoneGoesToStderr) {
    int out[2];
    ASSERT_EQ(::pipe(out), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::dup2(out[1], 2);
        auto [parent, child] = make_pair();
        parent.close();                                         // the creator exited
        child.fail(126, 0, "cannot apply the seccomp filter");  // _exits
    }
    ::close(out[1]);
    std::string text;
    char buf[256];
    for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) text.append(buf, n);
    ::close(out[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_EQ(WEXITSTATUS(status), 126);
    EXPECT_NE(text.find("cannot apply the seccomp filter"), std::string::npos) << text;
}

}  // namespace
}  // namespace vessel::handshake
