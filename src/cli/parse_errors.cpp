#include "vessel/cli/parse_errors.hpp"

#include <cstdlib>
#include <regex>

#include <fmt/format.h>

namespace vessel::cli {
namespace {

std::string number(const std::string& text) {
    double v = std::strtod(text.c_str(), nullptr);
    return fmt::format("{:g}", v);
}

std::string join_subcommands(const CLI::App& app) {
    std::string out;
    for (const CLI::App* sub : app.get_subcommands({}))
        out += (out.empty() ? "" : ", ") + sub->get_name();
    return out;
}

}  // namespace

std::string parse_error_line(const CLI::ParseError& error, const CLI::App& command,
                             const std::string& where) {
    const std::string what = error.what();
    const std::string see = fmt::format(" (see '{} --help')", where);
    std::smatch m;
    static const std::regex kRange(R"(^(\S+): Value (.*) not in range (\S+) to (\S+)$)");
    static const std::regex kOnce(R"(^(\S+): At Most 1 required but received (\d+)$)");
    static const std::regex kNotIn(R"(^(\S+): (.*) not in \{(.*)\}$)");
    static const std::regex kExtra(R"(^The following arguments? (?:was|were) not expected: (.*)$)");
    static const std::regex kRequired(R"(^(\S+) is required$)");
    static const std::regex kConvert(R"(^(\S+): Value (.*) could not be converted)");
    if (std::regex_search(what, m, kRange)) {
        const bool open_ended = std::strtod(m[4].str().c_str(), nullptr) > 1e300;
        return fmt::format("invalid {} \"{}\": use a number {}{}", m[1].str(), m[2].str(),
                           open_ended ? "of " + number(m[3]) + " or more"
                                      : "from " + number(m[3]) + " to " + number(m[4]),
                           see);
    }
    if (std::regex_search(what, m, kOnce))
        return fmt::format("{} was given {} times: give it once{}", m[1].str(), m[2].str(), see);
    if (std::regex_search(what, m, kNotIn)) {
        std::string choices = std::regex_replace(m[3].str(), std::regex(","), ", ");
        return fmt::format("invalid {} \"{}\": use one of {}{}", m[1].str(), m[2].str(), choices,
                           see);
    }
    if (std::regex_search(what, m, kConvert))
        return fmt::format("invalid {} \"{}\"{}", m[1].str(), m[2].str(), see);
    if (std::regex_search(what, m, kExtra)) {
        const std::string arg = m[1].str();
        if (arg.starts_with('-')) return fmt::format("'{}' has no option {}{}", where, arg, see);
        return fmt::format("'{}' takes no argument \"{}\" here{}", where, arg, see);
    }
    if (std::regex_search(what, m, kRequired))
        return fmt::format("'{}' needs {}{}", where, m[1].str(), see);
    if (what == "A subcommand is required")
        return fmt::format("'{}' needs a command: {}{}", where, join_subcommands(command), see);
    return what + see;
}

}  // namespace vessel::cli
