// The key sequence that detaches `vessel attach` from a container and leaves it running:
// Ctrl-P Ctrl-Q, docker's default. Kernel-free, so unit tests cover the corner cases (the two
// keys split across reads, a lone Ctrl-P that must still reach the container).
#pragma once

#include <string>
#include <string_view>

namespace vessel {

class DetachKeys {
  public:
    static constexpr char kFirst = 0x10;   // Ctrl-P
    static constexpr char kSecond = 0x11;  // Ctrl-Q

    // The bytes of `input` to pass on to the container. Sets `detach` when the sequence was
    // typed; the bytes before it are returned, those after it dropped. A Ctrl-P is held back
    // until the next byte shows whether it starts the sequence.
    std::string filter(std::string_view input, bool& detach);

  private:
    bool held_ = false;
};

}  // namespace vessel
