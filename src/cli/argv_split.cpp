#include "vessel/cli/argv_split.hpp"

namespace vessel::cli {
namespace {

// Whether the option named `name` ("-e", "--env") takes a value; unknown options are assumed not
// to, and CLI11 then reports them.
bool takes_value(const CLI::App& app, const std::string& name) {
    const CLI::Option* opt = app.get_option_no_throw(name);
    return opt && opt->get_type_size_min() > 0 && opt->get_expected_min() > 0;
}

}  // namespace

size_t first_positional(const CLI::App& app, const std::vector<std::string>& args, size_t start) {
    for (size_t i = start; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") return i + 1;
        if (a.size() < 2 || a[0] != '-') return i;
        if (a[1] == '-') {
            // --name=value carries its value; --name takes the next argument if it has one.
            if (a.find('=') == std::string::npos && takes_value(app, a)) ++i;
            continue;
        }
        // -e VALUE, -eVALUE, or bundled flags like -it (where the last may take a value: -te X).
        for (size_t k = 1; k < a.size(); ++k) {
            if (!takes_value(app, std::string{'-', a[k]})) continue;
            if (k + 1 == a.size()) ++i;  // the value is the next argument
            break;                       // else the rest of this argument is the value
        }
    }
    return args.size();
}

}  // namespace vessel::cli
