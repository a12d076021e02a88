// fmt and spdlog, compiled into vessel once. Debian ships them as shared libraries (which cost
// every `vessel run` time in the dynamic linker) and as headers; used header-only they would be
// recompiled in every file that formats or logs, which more than doubles the build. So every
// other file sees only their declarations (SPDLOG_COMPILED_LIB, no FMT_HEADER_ONLY), and this
// file includes their implementations and instantiates the templates vessel uses.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {
// Declared `extern template` by fmt/format.h.
template auto thousands_sep_impl<char>(locale_ref) -> thousands_sep_result<char>;
template auto decimal_point_impl(locale_ref) -> char;
template void vformat_to(buffer<char>&, string_view, basic_format_args<FMT_BUFFER_CONTEXT(char)>,
                         locale_ref);
}  // namespace detail
FMT_END_NAMESPACE

#include <spdlog/common-inl.h>
#include <spdlog/details/backtracer-inl.h>
#include <spdlog/details/file_helper-inl.h>
#include <spdlog/details/log_msg-inl.h>
#include <spdlog/details/log_msg_buffer-inl.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/details/os-inl.h>
#include <spdlog/details/periodic_worker-inl.h>
#include <spdlog/details/registry-inl.h>
#include <spdlog/logger-inl.h>
#include <spdlog/pattern_formatter-inl.h>
#include <spdlog/sinks/ansicolor_sink-inl.h>
#include <spdlog/sinks/base_sink-inl.h>
#include <spdlog/sinks/basic_file_sink-inl.h>
#include <spdlog/sinks/sink-inl.h>
#include <spdlog/sinks/stdout_color_sinks-inl.h>
#include <spdlog/sinks/stdout_sinks-inl.h>
#include <spdlog/spdlog-inl.h>

#include <mutex>

// The sinks vessel's loggers are made of (src/util/log.cpp): single-threaded ones.
template class spdlog::sinks::base_sink<spdlog::details::null_mutex>;
template class spdlog::sinks::base_sink<std::mutex>;
template class spdlog::sinks::basic_file_sink<spdlog::details::null_mutex>;
template class spdlog::sinks::stdout_sink_base<spdlog::details::console_nullmutex>;
template class spdlog::sinks::stderr_sink<spdlog::details::console_nullmutex>;
// spdlog's registry makes a default colour logger before vessel installs its own.
template class spdlog::sinks::ansicolor_sink<spdlog::details::console_mutex>;
template class spdlog::sinks::ansicolor_stdout_sink<spdlog::details::console_mutex>;
