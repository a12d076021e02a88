// Registry credentials for `vessel pull` (docs/images.md): `vessel login` stores them in
// vessel's own file, $HOME/.config/vessel/auth.json (mode 0600, in a 0700 directory), in
// docker's format ({"auths": {"HOST": {"auth": base64("USER:PASS")}}}); docker's own
// ~/.docker/config.json is read too, so a `docker login` done before works. Credential helpers
// (credsStore) are not supported.
#pragma once

#include <optional>
#include <string>

namespace vessel::image {

// $HOME/.config/vessel/auth.json (or $VESSEL_AUTH_FILE).
std::string auth_file();

// USER:PASS for `host` from vessel's file, then docker's; std::nullopt when neither has it.
std::optional<std::string> find_credentials(const std::string& host);

// Writes (or replaces) `host`'s entry in auth_file(), atomically and 0600.
void store_credentials(const std::string& host, const std::string& user_pass);

}  // namespace vessel::image
