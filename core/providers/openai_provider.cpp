#include "core/providers/openai_provider.hpp"

#include "core/providers/json_exchange.hpp"
#include "core/providers/openai_request.hpp"
#include "core/providers/openai_stream_decoder.hpp"
#include "core/providers/provider_http.hpp"
#include "core/providers/sse_exchange.hpp"

namespace parley::core {

boost::asio::awaitable<ModelOutcome> OpenAiProvider::stream(const ModelRequest& request, ModelEventSink sink) {
    const auto shape = request.stream ? AnswerShape::stream : AnswerShape::whole;
    auto http_request = provider_http_request(config_, "/chat/completions", openai_chat_request_body(request), shape);
    if (!config_.api_key.empty()) {
        http_request.headers.emplace_back("Authorization", "Bearer " + config_.api_key);
    }
    OpenAiStreamDecoder decoder(std::move(sink));
    ModelOutcome outcome;
    if (shape == AnswerShape::stream) {
        outcome = co_await run_sse_exchange(http_, std::move(http_request), decoder);
    } else {
        // Named before the co_await: GCC 12 mis-copies a lambda written inside one.
        AnswerBodyDecoder decode_body = [&decoder](std::string_view body) { return decoder.on_completion(body); };
        outcome = co_await run_json_exchange(http_, std::move(http_request), decoder, std::move(decode_body));
    }
    outcome.provider = config_.name;
    co_return outcome;
}

}  // namespace parley::core
