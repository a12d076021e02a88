// What /proc/PID/cmdline shows for a process of vessel's own code. --init's PID 1 is vessel's
// process, and its cmdline would otherwise show the host's command line (the binary's path, the
// state root) to everything in the container: it is rewritten to a plain "vessel-init".
#pragma once

#include <string_view>

namespace vessel::process_title {

// main() hands over argv once: the memory the kernel reports as /proc/self/cmdline.
void remember(int argc, char** argv);

// Overwrites that memory with `title` (cut to fit) and zeros. Nothing if remember() was not
// called or argv is not one contiguous block.
void set(std::string_view title);

}  // namespace vessel::process_title
