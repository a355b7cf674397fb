#pragma once

#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/net/http_request.hpp"

namespace parley::core {

// A POST to `base_url` + `path` with the provider's timeouts and pool limits.
[[nodiscard]] HttpRequest provider_http_request(const ProviderConfig& config, std::string_view path, std::string body);

}  // namespace parley::core
