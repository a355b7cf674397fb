#include "core/providers/provider_http.hpp"

namespace parley::core {

HttpRequest provider_http_request(const ProviderConfig& config, std::string_view path, std::string body,
                                  AnswerShape shape) {
    HttpRequest request;
    request.url = config.base_url;
    while (!request.url.empty() && request.url.back() == '/') {
        request.url.pop_back();
    }
    request.url += path;
    request.body = std::move(body);
    request.headers.emplace_back("Accept", shape == AnswerShape::stream ? "text/event-stream" : "application/json");
    request.timeouts.connect = std::chrono::milliseconds(config.connect_timeout_ms);
    request.timeouts.first_byte = std::chrono::seconds(config.first_byte_timeout_seconds);
    request.timeouts.idle = std::chrono::seconds(config.idle_timeout_seconds);
    request.timeouts.total = std::chrono::seconds(config.request_timeout_seconds);
    if (shape == AnswerShape::whole) {
        // A whole answer's header comes once the model has finished: a long answer is
        // silent for its whole generation, so only the total timeout bounds it.
        request.timeouts.first_byte = request.timeouts.total;
    }
    request.limits.max_connections = config.max_connections;
    request.limits.max_idle_connections = config.max_idle_connections;
    request.limits.keepalive = std::chrono::seconds(config.keepalive_timeout_seconds);
    return request;
}

}  // namespace parley::core
