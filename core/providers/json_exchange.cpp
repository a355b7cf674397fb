#include "core/providers/json_exchange.hpp"

#include <string>

#include <boost/system/system_error.hpp>

#include "core/providers/provider_errors.hpp"

namespace parley::core {

boost::asio::awaitable<ModelOutcome> run_json_exchange(HttpClient& http, HttpRequest request,
                                                       const StreamDecoder& decoder, AnswerBodyDecoder decode_body) {
    try {
        const std::size_t max_body = request.max_body_bytes;
        auto opened = co_await http.open(std::move(request));
        if (!opened) {
            co_return failed_outcome(to_provider_error(opened.error()));
        }
        HttpResponseStream& stream = **opened;
        std::string body;
        while (true) {
            auto chunk = co_await stream.next_chunk();
            if (!chunk) {
                co_return failed_outcome(to_provider_error(chunk.error()));
            }
            if (chunk->empty()) {
                break;
            }
            if (body.size() + chunk->size() > max_body) {
                co_return failed_outcome(
                    ProviderError{.kind = ProviderErrorKind::protocol,
                                  .message = "answer body over " + std::to_string(max_body) + " bytes"});
            }
            body.append(*chunk);
        }
        if (auto error = decode_body(body)) {
            error->after_first_delta = decoder.delivered();
            co_return failed_outcome(std::move(*error));
        }
        if (!decoder.finished()) {
            co_return failed_outcome(ProviderError{.kind = ProviderErrorKind::protocol,
                                                   .message = "the answer has no finish reason",
                                                   .after_first_delta = decoder.delivered()});
        }
        co_return decoded_outcome(decoder);
    } catch (const boost::system::system_error& failure) {
        co_return failed_outcome(exchange_error(failure));
    }
}

}  // namespace parley::core
