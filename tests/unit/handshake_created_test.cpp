// The handshake's OCI ending (handshake.hpp): await_created() returns at kCreated, with the pty
// master if one came; end-of-file before kCreated (the child exited) is an error, and so is a
// kCreated that await_exec() (no exec fifo) did not ask for. In one process, no root.
#include <fcntl.h>
#include <unistd.h>

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

}  // namespace
}  // namespace vessel::handshake
