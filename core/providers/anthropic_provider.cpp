#include "core/providers/anthropic_provider.hpp"

#include "core/providers/anthropic_request.hpp"
#include "core/providers/anthropic_stream_decoder.hpp"
#include "core/providers/provider_http.hpp"
#include "core/providers/sse_exchange.hpp"

namespace parley::core {

boost::asio::awaitable<ModelOutcome> AnthropicProvider::stream(const ModelRequest& request, ModelEventSink sink) {
    auto http_request = provider_http_request(config_, "/messages", anthropic_messages_request_body(request));
    if (!config_.api_key.empty()) {
        http_request.headers.emplace_back("x-api-key", config_.api_key);
    }
    http_request.headers.emplace_back("anthropic-version", config_.anthropic_version);
    AnthropicStreamDecoder decoder(std::move(sink));
    auto outcome = co_await run_sse_exchange(http_, std::move(http_request), decoder);
    outcome.provider = config_.name;
    co_return outcome;
}

}  // namespace parley::core
