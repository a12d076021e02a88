// Container ids and names, docker's way: a random 64-hex id shown as its first 12 characters,
// and optional unique names of [a-zA-Z0-9][a-zA-Z0-9_.-]+.
#pragma once

#include <string>
#include <string_view>

namespace vessel::ids {

inline constexpr size_t kShortLength = 12;

// 32 random bytes from getrandom(2), as 64 lower-case hex digits.
std::string new_container_id();

bool is_valid_name(std::string_view name);
bool is_valid_hostname(std::string_view hostname);
// An id or a prefix of one: lower-case hex, 1..64 characters.
bool looks_like_id_prefix(std::string_view text);

// Throw Error (exit 125) with a message that says what is allowed.
void check_name(std::string_view name);
void check_hostname(std::string_view hostname);

}  // namespace vessel::ids
