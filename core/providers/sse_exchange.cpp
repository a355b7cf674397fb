#include "core/providers/sse_exchange.hpp"

#include <boost/system/system_error.hpp>

#include "core/providers/provider_errors.hpp"
#include "core/providers/sse_parser.hpp"

namespace parley::core {

namespace {

// After the end marker only the chunked terminator should follow; do not wait long for it.
constexpr std::chrono::milliseconds kDrainTimeout{1000};

ModelOutcome stream_error(ProviderError error, const StreamDecoder& decoder) {
    error.after_first_delta = decoder.delivered();
    return failed_outcome(std::move(error));
}

}  // namespace

boost::asio::awaitable<ModelOutcome> run_sse_exchange(HttpClient& http, HttpRequest request, StreamDecoder& decoder) {
    try {
        auto opened = co_await http.open(std::move(request));
        if (!opened) {
            co_return failed_outcome(to_provider_error(opened.error()));
        }
        HttpResponseStream& stream = **opened;
        SseParser parser;
        while (true) {
            auto chunk = co_await stream.next_chunk();
            if (!chunk) {
                if (decoder.done()) {
                    break;  // everything arrived; only the tail of the HTTP body was lost
                }
                co_return stream_error(to_provider_error(chunk.error()), decoder);
            }
            if (chunk->empty()) {
                break;
            }
            if (decoder.done()) {
                continue;  // draining the body so the connection can be reused
            }
            parser.append(*chunk);
            while (auto event = parser.next()) {
                if (auto error = decoder.on_event(*event)) {
                    co_return stream_error(std::move(*error), decoder);
                }
            }
            if (parser.overflowed()) {
                co_return stream_error(
                    ProviderError{.kind = ProviderErrorKind::protocol, .message = "SSE line over the size limit"},
                    decoder);
            }
            if (decoder.done()) {
                stream.set_idle_timeout(kDrainTimeout);
            }
        }
        if (!decoder.done() && !decoder.finished()) {
            co_return stream_error(ProviderError{.kind = ProviderErrorKind::protocol,
                                                 .message = "the stream ended before the model finished"},
                                   decoder);
        }
        co_return decoded_outcome(decoder);
    } catch (const boost::system::system_error& failure) {
        co_return stream_error(exchange_error(failure), decoder);
    }
}

}  // namespace parley::core
