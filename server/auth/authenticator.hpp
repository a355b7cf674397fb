#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "server/http_types.hpp"

namespace parley::server {

// The key a request presents: `Authorization: Bearer <key>`, or else the
// `access_token` query parameter (browsers cannot set headers on a WebSocket
// or an EventSource). Empty when there is none.
[[nodiscard]] std::string presented_key(const Request& request, std::string_view query);

// The configured key whose hash matches `key`. Every configured hash is
// compared, in constant time, so the answer's timing reveals nothing.
[[nodiscard]] const core::AuthKey* find_key(const std::vector<core::AuthKey>& keys, std::string_view key);

}  // namespace parley::server
