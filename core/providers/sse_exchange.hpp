#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/net/http_client.hpp"
#include "core/providers/model_types.hpp"
#include "core/providers/stream_decoder.hpp"

namespace parley::core {

// Sends a streaming model request and feeds the SSE body, as it arrives, through
// the decoder. A stream that ends (or dies) before the decoder saw the answer
// finish is an error, never a clean finish. Cancellation (Asio) closes the socket
// and yields a `cancelled` error.
boost::asio::awaitable<ModelOutcome> run_sse_exchange(HttpClient& http, HttpRequest request, StreamDecoder& decoder);

}  // namespace parley::core
