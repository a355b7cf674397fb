#include "core/providers/openai_provider.hpp"

#include "core/providers/openai_request.hpp"
#include "core/providers/openai_stream_decoder.hpp"
#include "core/providers/provider_http.hpp"
#include "core/providers/sse_exchange.hpp"

namespace parley::core {

boost::asio::awaitable<ModelOutcome> OpenAiProvider::stream(const ModelRequest& request, ModelEventSink sink) {
    auto http_request = provider_http_request(config_, "/chat/completions", openai_chat_request_body(request));
    if (!config_.api_key.empty()) {
        http_request.headers.emplace_back("Authorization", "Bearer " + config_.api_key);
    }
    OpenAiStreamDecoder decoder(std::move(sink));
    auto outcome = co_await run_sse_exchange(http_, std::move(http_request), decoder);
    outcome.provider = config_.name;
    co_return outcome;
}

}  // namespace parley::core
