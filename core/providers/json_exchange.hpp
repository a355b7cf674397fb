#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/net/http_client.hpp"
#include "core/providers/model_types.hpp"
#include "core/providers/stream_decoder.hpp"

namespace parley::core {

// Decodes a whole answer's body into the decoder's events; an error ends the call.
using AnswerBodyDecoder = std::function<std::optional<ProviderError>(std::string_view body)>;

// Sends a model request that is answered in one JSON body (not streamed), reads
// the body whole (at most request.max_body_bytes) and hands it to `decode_body`,
// which feeds `decoder`. The outcome is read from the decoder as run_sse_exchange's
// is: an answer without a finish is an error. Cancellation (Asio) closes the
// socket and yields a `cancelled` error.
boost::asio::awaitable<ModelOutcome> run_json_exchange(HttpClient& http, HttpRequest request,
                                                       const StreamDecoder& decoder, AnswerBodyDecoder decode_body);

}  // namespace parley::core
