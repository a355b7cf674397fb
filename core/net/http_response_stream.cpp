#include "core/net/http_response_stream.hpp"

#include <algorithm>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace parley::core {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using std::chrono::milliseconds;

namespace {

// Errors that say a reused keep-alive connection had been closed by the server
// before our request reached it: safe to send again on a fresh connection.
bool is_stale_connection_error(const boost::system::error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
           ec == asio::ssl::error::stream_truncated;
}

}  // namespace

HttpResponseStream::HttpResponseStream(std::shared_ptr<ConnectionPool> pool, HttpTimeouts timeouts,
                                       std::chrono::steady_clock::time_point deadline)
    : pool_(std::move(pool)), timeouts_(timeouts), deadline_(deadline), chunk_(BodyChunks::take()) {}

HttpResponseStream::~HttpResponseStream() {
    if (connection_) {
        if (finished_ && !failed_ && parser_ && parser_->keep_alive()) {
            pool_->put_idle(std::move(connection_));
        } else {
            connection_->close();
        }
    }
    pool_->release_slot();
}

milliseconds HttpResponseStream::remaining() const {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline_ - std::chrono::steady_clock::now());
    return std::max(left, milliseconds(0));
}

HttpError HttpResponseStream::fail(HttpError error) {
    failed_ = true;
    if (connection_) {
        connection_->close();
    }
    return error;
}

HttpError HttpResponseStream::timeout_or(std::string_view phase, milliseconds phase_timeout, milliseconds left,
                                         const boost::system::error_code& ec) {
    if (ec == beast::error::timeout) {
        const bool total = left <= phase_timeout;
        return HttpError{.kind = HttpErrorKind::timeout,
                         .message = total ? std::string("total request timeout during ") + std::string(phase)
                                          : std::string(phase) + " timeout"};
    }
    if (ec == asio::error::operation_aborted) {
        return HttpError{.kind = HttpErrorKind::cancelled, .message = std::string(phase) + " cancelled"};
    }
    return HttpError{.kind = HttpErrorKind::network, .message = std::string(phase) + ": " + ec.message()};
}

asio::awaitable<HttpResult<void>> HttpResponseStream::start(HttpOrigin origin, HttpConnection::Request request,
                                                            asio::ssl::context* tls_context,
                                                            AddressFilter allow_address) {
    const auto caller = co_await asio::this_coro::executor;
    const auto& caller_context = asio::query(caller, asio::execution::context);
    // At most two tries: a pooled connection found dead on use, then a fresh one.
    for (int attempt = 0; attempt < 2; ++attempt) {
        connection_ = attempt == 0 ? pool_->take_idle(&caller_context) : nullptr;
        if (connection_ && allow_address) {
            const auto peer = connection_->peer_address();
            if (!peer || !allow_address(*peer)) {
                connection_->close();
                connection_.reset();
            }
        }
        reused_ = connection_ != nullptr;
        if (!connection_) {
            const auto left = remaining();
            const auto limit = std::min(timeouts_.connect, left);
            auto connected = co_await HttpConnection::connect(origin, tls_context, limit, allow_address);
            if (!connected) {
                HttpError error = connected.error();
                if (error.kind == HttpErrorKind::timeout && left <= timeouts_.connect) {
                    error.message = "total request timeout during connect";
                }
                co_return fail(std::move(error));
            }
            connection_ = std::move(*connected);
        }
        parser_ = std::make_unique<HttpConnection::ResponseParser>();
        parser_->body_limit(boost::none);  // streamed: bounded by the timeouts, not a size

        const auto left = remaining();
        const auto limit = std::min(timeouts_.first_byte, left);
        auto ec = co_await connection_->write(request, limit);
        if (!ec) {
            ec = co_await connection_->read_header(*parser_, limit);
        }
        if (!ec) {
            co_return HttpResult<void>();
        }
        if (reused_ && is_stale_connection_error(ec)) {
            connection_->close();
            connection_.reset();
            continue;
        }
        co_return fail(timeout_or("first byte", timeouts_.first_byte, left, ec));
    }
    co_return fail(HttpError{.kind = HttpErrorKind::network, .message = "connection closed before the response"});
}

unsigned HttpResponseStream::status() const {
    return parser_ ? parser_->get().result_int() : 0;
}

const http::fields& HttpResponseStream::headers() const {
    return parser_->get().base();
}

asio::awaitable<HttpResult<std::string_view>> HttpResponseStream::next_chunk() {
    if (finished_) {
        co_return std::string_view{};
    }
    if (failed_ || !connection_ || !parser_) {
        co_return HttpError{.kind = HttpErrorKind::network, .message = "the response stream already failed"};
    }
    while (!parser_->is_done()) {
        const auto left = remaining();
        if (left <= milliseconds(0)) {
            co_return fail(HttpError{.kind = HttpErrorKind::timeout, .message = "total request timeout"});
        }
        auto& body = parser_->get().body();
        body.data = chunk_->bytes.data();
        body.size = chunk_->bytes.size();
        const auto [ec, bytes] = co_await connection_->read_some(*parser_, std::min(timeouts_.idle, left));
        if (ec && !(ec == http::error::end_of_stream && parser_->is_done())) {
            if (ec == http::error::partial_message || ec == http::error::end_of_stream || ec == asio::error::eof) {
                co_return fail(HttpError{.kind = HttpErrorKind::network,
                                         .message = "connection closed before the response ended"});
            }
            co_return fail(timeout_or("idle", timeouts_.idle, left, ec));
        }
        if (bytes > 0) {
            co_return std::string_view(chunk_->bytes.data(), bytes);
        }
    }
    finished_ = true;
    co_return std::string_view{};
}

}  // namespace parley::core
