// The entry point of `vessel-oci` and `vessel oci`: runc's command line (docs/oci.md).
#pragma once

namespace vessel::oci {

// argv[0] is the program's name; returns the exit status.
int main(int argc, char** argv);

}  // namespace vessel::oci
