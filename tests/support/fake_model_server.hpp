#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tests/support/fake_model_connection.hpp"
#include "tests/support/fake_model_state.hpp"
#include "tests/support/model_responses.hpp"  // kSentStampField
#include "tests/support/script.hpp"

// A scripted stand-in for OpenAI-compatible and Anthropic model APIs, for tests and benchmarks.
//
// Model endpoints
//   POST /v1/chat/completions  OpenAI chat completions; "stream":true answers SSE chat.completion.chunk
//                              lines (tool-call deltas, a finish chunk, a usage chunk when
//                              stream_options.include_usage, then "data: [DONE]").
//   POST /v1/messages          Anthropic Messages; "stream":true answers message_start,
//                              content_block_start/delta/stop, ping, message_delta, message_stop.
//   GET  /v1/models            {"object":"list","data":[{"id":"fake-model","object":"model",...}]}
// Every streamed JSON object carries "x_fake_sent_ns": std::chrono::steady_clock nanoseconds
// (CLOCK_MONOTONIC) when it was written, so a process on the same machine can measure latency.
// Each model request takes the next queued Script (FIFO, skipping scripts keyed to the other
// API), else the default script (echo: "echo: <last user message>", one piece per word).
// A body that is not a valid chat request gets 400 in the API's error shape.
//
// Control endpoints (not recorded, for a fake server run as a separate process)
//   POST /__fake/scripts         one script object or an array of them → {"accepted":N,"pending":M}
//   POST /__fake/default_script  one script object, the answer when the queue is empty
//   GET  /__fake/requests        {"data":[{"method","target","headers":{lower-case name: value},
//                                          "body","received_ns"}]}
//   POST /__fake/reset           drops queued scripts and recorded requests → {"reset":true}
//   GET  /__fake/stats           {"requests","connections_accepted","active_connections","pending_scripts"}
// Script JSON (every key optional; unknown keys and wrong types → 400):
//   {"route": "openai"|"anthropic"|"any",
//    "text": "reply text" | null (echo),  "chunks": 0 (per word) | N,
//    "explicit_chunks": ["raw", "pieces"],
//    "tool_calls": [{"id": "call_1", "name": "get_weather", "arguments": "{\"city\":\"Paris\"}" | {...},
//                    "fragments": 3, "explicit_fragments": ["{\"ci", "ty\":\"Paris\"}"]}],
//    "delay_per_chunk_ms": 0, "first_byte_delay_ms": 0,
//    "stamp_pieces": false (true: each streamed text piece starts with "<x_fake_sent_ns> "),
//    "usage": {"prompt_tokens": 10, "completion_tokens": 5},
//    "finish_reason": "stop",
//    "status": 200, "error_body": "text" | {...}, "retry_after": "2" | 2,
//    "drop_after_chunks": N, "hang_after_chunks": N, "hang_before_headers": false}
// The body is parsed with invalid UTF-8 allowed, so raw byte pieces can be sent as they are.
// script_to_json() produces this shape from a Script.
namespace parley::testing {

struct TlsIdentity {
    std::string certificate_chain_pem;  // the server certificate, then any intermediates
    std::string private_key_pem;
};

struct FakeModelServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port, see FakeModelServer::port()
    std::size_t threads = 1;
    std::optional<TlsIdentity> tls;  // serve HTTPS with this identity
    std::vector<std::string> models = {"fake-model"};
};

// Listens from construction to destruction on its own io_context and thread(s).
class FakeModelServer {
public:
    explicit FakeModelServer(FakeModelServerOptions options = {});
    ~FakeModelServer();
    FakeModelServer(const FakeModelServer&) = delete;
    FakeModelServer& operator=(const FakeModelServer&) = delete;
    FakeModelServer(FakeModelServer&&) = delete;
    FakeModelServer& operator=(FakeModelServer&&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] const std::string& host() const { return options_.host; }
    // "http://127.0.0.1:PORT" (https with TLS); an OpenAI base URL appends "/v1".
    [[nodiscard]] std::string base_url() const;

    void enqueue(Script script) { state_->enqueue(std::move(script)); }
    void set_default_script(Script script) { state_->set_default_script(std::move(script)); }
    [[nodiscard]] std::size_t pending_scripts() const { return state_->pending_scripts(); }
    void clear_scripts() { state_->clear_scripts(); }

    [[nodiscard]] std::vector<RecordedRequest> requests() const { return state_->requests(); }
    [[nodiscard]] std::size_t request_count() const { return state_->request_count(); }
    // Forgets the recorded requests (queued scripts stay).
    void clear() { state_->clear_requests(); }
    // Forgets recorded requests and queued scripts, as POST /__fake/reset.
    void reset();

    [[nodiscard]] std::uint64_t connections_accepted() const { return state_->connections_accepted(); }
    [[nodiscard]] std::size_t active_connections() const { return state_->active_connections(); }
    bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
        return state_->wait_for_requests(count, timeout);
    }
    bool wait_for_active_connections(std::size_t count, std::chrono::milliseconds timeout) const {
        return state_->wait_for_active_connections(count, timeout);
    }

    // Closes every connection and joins the threads; idempotent, the destructor calls it.
    void stop();

private:
    boost::asio::awaitable<void> accept_loop();

    FakeModelServerOptions options_;
    std::shared_ptr<FakeModelState> state_;
    std::shared_ptr<const FakeModelSite> site_;
    // Declared after what the connections use: destroyed first, with the connections it still holds.
    std::unique_ptr<boost::asio::io_context> io_context_;
    std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
    std::uint16_t port_ = 0;
    std::vector<std::thread> threads_;
};

}  // namespace parley::testing
