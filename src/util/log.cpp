#include "vessel/util/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace vessel::log {

void setup(std::string_view level) {
    // stderr_sink_st: single-threaded, unbuffered; a line written before clone is never written
    // again by the child.
    auto logger = std::make_shared<spdlog::logger>(
        "vessel", std::make_shared<spdlog::sinks::stderr_sink_st>());
    logger->set_pattern("vessel: %l: %v");
    logger->set_level(spdlog::level::from_str(std::string(level)));
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
}

void redirect_to_file(const std::string& path) {
    auto logger = std::make_shared<spdlog::logger>(
        "vessel", std::make_shared<spdlog::sinks::basic_file_sink_st>(path));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e vessel[%P]: %l: %v");
    logger->set_level(spdlog::default_logger()->level());
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace vessel::log
