#pragma once

#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/net/http_request.hpp"

namespace parley::core {

// How the upstream is asked to answer: as server-sent events, or as one JSON body.
enum class AnswerShape { stream, whole };

// A POST to `base_url` + `path` with the provider's timeouts and pool limits.
[[nodiscard]] HttpRequest provider_http_request(const ProviderConfig& config, std::string_view path, std::string body,
                                                AnswerShape shape = AnswerShape::stream);

}  // namespace parley::core
