#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/fields.hpp>

#include "core/net/connection_pool.hpp"
#include "core/net/http_connection.hpp"
#include "core/net/http_error.hpp"
#include "core/net/http_origin.hpp"
#include "core/net/http_request.hpp"
#include "core/per_thread_pool.hpp"

namespace parley::core {

// One request in flight and its response, read incrementally. Holds a pool slot
// and a connection until destroyed: a response read to its end on a keep-alive
// connection goes back to the pool, anything else is closed. Created by HttpClient.
class HttpResponseStream {
public:
    HttpResponseStream(std::shared_ptr<ConnectionPool> pool, HttpTimeouts timeouts,
                       std::chrono::steady_clock::time_point deadline);
    ~HttpResponseStream();
    HttpResponseStream(const HttpResponseStream&) = delete;
    HttpResponseStream& operator=(const HttpResponseStream&) = delete;
    HttpResponseStream(HttpResponseStream&&) = delete;
    HttpResponseStream& operator=(HttpResponseStream&&) = delete;

    // Connects (or reuses a pooled connection), writes the request and reads the
    // response header. A pooled connection the server had closed is replaced
    // once, transparently. Called once, by HttpClient, with a pool slot held.
    // With allow_address set, a pooled connection to a peer it refuses is not reused.
    boost::asio::awaitable<HttpResult<void>> start(HttpOrigin origin, HttpConnection::Request request,
                                                   boost::asio::ssl::context* tls_context,
                                                   AddressFilter allow_address = {});

    [[nodiscard]] unsigned status() const;
    [[nodiscard]] const boost::beast::http::fields& headers() const;

    // The next piece of the body as it arrives: a view valid until the next call,
    // empty once the body has ended cleanly. A body cut short, a timeout or a
    // cancellation is an error (and closes the connection).
    boost::asio::awaitable<HttpResult<std::string_view>> next_chunk();

    [[nodiscard]] bool finished() const { return finished_; }
    // Changes the idle timeout for the rest of the body (e.g. short, once the payload is complete).
    void set_idle_timeout(std::chrono::milliseconds timeout) { timeouts_.idle = timeout; }
    // True when the connection this request used came from the pool.
    [[nodiscard]] bool reused_connection() const { return reused_; }

private:
    HttpError fail(HttpError error);
    [[nodiscard]] std::chrono::milliseconds remaining() const;
    HttpError timeout_or(std::string_view phase, std::chrono::milliseconds phase_timeout,
                         std::chrono::milliseconds remaining, const boost::system::error_code& ec);

    // What one read of the body hands out at most; pooled per thread, not
    // allocated per request (and never zeroed: a read writes every byte seen).
    struct BodyChunk {
        static constexpr std::size_t kBytes = 16 * 1024;
        std::array<char, kBytes> bytes;
    };
    using BodyChunks = PerThreadPool<BodyChunk, 8>;

    std::shared_ptr<ConnectionPool> pool_;
    HttpTimeouts timeouts_;
    std::chrono::steady_clock::time_point deadline_;
    std::unique_ptr<HttpConnection> connection_;
    std::unique_ptr<HttpConnection::ResponseParser> parser_;
    BodyChunks::Handle chunk_;
    bool finished_ = false;
    bool failed_ = false;
    bool reused_ = false;
};

}  // namespace parley::core
