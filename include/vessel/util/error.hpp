// Errors that reach the user. Every failure vessel reports carries the exit code the CLI returns
// (125 for vessel's own failures, as docker does) and a message that says what failed and, where
// we know it, what to do about it.
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

namespace vessel {

// Exit codes shared with docker and runc (docs/process.md, "Exit codes").
namespace exit_code {
inline constexpr int kRuntimeError = 125;   // vessel itself failed
inline constexpr int kNotExecutable = 126;  // the command exists but cannot be run
inline constexpr int kNotFound = 127;       // the command does not exist in the image
inline constexpr int kSignalBase = 128;     // 128 + N when the command died of signal N
}  // namespace exit_code

class Error : public std::runtime_error {
  public:
    explicit Error(const std::string& message, int exit_code = exit_code::kRuntimeError)
        : std::runtime_error(message), exit_code_(exit_code) {}
    int exit_code() const { return exit_code_; }

  private:
    int exit_code_;
};

// A failed system call: "what: strerror(errno)", optionally followed by a hint.
class SysError : public Error {
  public:
    SysError(const std::string& what, int err, const std::string& hint = {});
    int err() const { return err_; }

  private:
    int err_;
};

// Throws SysError(what, errno) when rc is -1; returns rc otherwise.
inline long check(long rc, const std::string& what) {
    if (rc == -1) throw SysError(what, errno);
    return rc;
}

// The text of an errno value, e.g. "No such file or directory".
std::string errno_text(int err);

}  // namespace vessel
