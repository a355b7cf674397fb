#include "server/http_connection.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "core/logging.hpp"
#include "core/net/wire_message.hpp"
#include "core/net/write_now.hpp"
#include "server/api_error.hpp"

namespace parley::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 4096;

std::string describe(const asio::ip::tcp::socket& socket) {
    beast::error_code ec;
    const auto endpoint = socket.remote_endpoint(ec);
    if (ec) {
        return "unknown";
    }
    return endpoint.address().is_v6() ? fmt::format("[{}]:{}", endpoint.address().to_string(), endpoint.port())
                                      : fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

}  // namespace

HttpConnection::HttpConnection(asio::ip::tcp::socket socket, const ConnectionServices& services)
    : stream_(std::move(socket)), services_(services), limits_(services.limits), remote_(describe(stream_.socket())) {}

asio::awaitable<void> HttpConnection::run() {
    auto self = shared_from_this();
    const auto registration = services_.registry.add([weak = weak_from_this()](bool force) {
        if (auto connection = weak.lock()) {
            asio::post(connection->stream_.get_executor(), [connection, force] { connection->drain(force); });
        }
    });
    try {
        while (!draining_ && co_await await_next_request()) {
            const auto started = std::chrono::steady_clock::now();
            Request request;
            const auto outcome = co_await read_request(request);
            if (outcome != ReadOutcome::request) {
                break;
            }
            RequestContext context{.request = request, .remote = remote_, .stream = &stream_, .buffer = &buffer_};
            Response response = co_await dispatch(context);
            const auto route = context.route.empty() ? HttpMetrics::kUnmatchedRoute : context.route;
            if (context.response_sent) {
                record(request.method_string(), request.target(), route, context.sent_status, 0, started);
                break;
            }
            const bool keep_alive = request.keep_alive() && !draining_;
            response.keep_alive(keep_alive);
            co_await reply(std::move(response), request.method_string(), request.target(), route, started);
            if (!keep_alive) {
                break;
            }
        }
    } catch (const std::exception& error) {
        spdlog::error("connection {}: {}", remote_, error.what());
    }
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    stream_.close();
    services_.registry.remove(registration);
}

// Waits, up to the keep-alive timeout, for the first byte of the next request.
// Only this wait counts as idle: shutdown closes an idle connection at once.
asio::awaitable<bool> HttpConnection::await_next_request() {
    if (buffer_.size() > 0) {
        co_return true;
    }
    idle_ = true;
    stream_.expires_after(limits_.keepalive_timeout);
    auto [ec, bytes] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kAsTuple);
    idle_ = false;
    if (ec) {
        co_return false;
    }
    buffer_.commit(bytes);
    co_return true;
}

namespace {

bool is_disconnect(const beast::error_code& ec) {
    return ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
           ec == asio::error::eof || ec == asio::error::connection_reset;
}

}  // namespace

// The answer to a request that could not be read, or nullopt when the
// client simply went away (timeout, EOF): then there is nobody to answer.
std::optional<Response> HttpConnection::rejection(const beast::error_code& ec, unsigned http_version,
                                                  std::string_view what) const {
    if (ec == http::error::body_limit) {
        return body_too_large(http_version);
    }
    if (ec == http::error::header_limit) {
        const ApiError error{http::status::request_header_fields_too_large, "headers_too_large",
                             fmt::format("the request headers exceed the limit of {} bytes", limits_.max_header_bytes),
                             std::nullopt, std::nullopt};
        return error_response(error, http_version, false);
    }
    if (is_disconnect(ec)) {
        return std::nullopt;
    }
    const auto error =
        ApiError::bad_request("malformed_request", fmt::format("malformed HTTP {}: {}", what, ec.message()));
    return error_response(error, http_version, false);
}

asio::awaitable<HttpConnection::ReadOutcome> HttpConnection::read_request(Request& request) {
    const auto started = std::chrono::steady_clock::now();
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    parser.body_limit(limits_.max_body_bytes);

    // Usually the whole request is in the buffer already: parsed here, it needs
    // no read, where Beast's reads would parse it and complete through a post
    // (a round of the scheduler each for the header and the body).
    auto header_ec = parse_buffered(parser);
    if (!header_ec && !parser.is_header_done()) {
        // The whole header block must arrive within header_timeout, however slowly
        // its bytes trickle in (slow loris). The parser also checks Content-Length
        // against the body limit here.
        stream_.expires_after(limits_.header_timeout);
        auto [read_ec, header_bytes] = co_await http::async_read_header(stream_, buffer_, parser, kAsTuple);
        header_ec = read_ec;
    }
    if (!header_ec && !parser.is_done()) {
        stream_.expires_after(limits_.body_timeout);
        auto [body_ec, body_bytes] = co_await http::async_read(stream_, buffer_, parser, kAsTuple);
        header_ec = body_ec;
    }
    stream_.expires_never();
    if (!header_ec) {
        request = parser.release();
        co_return ReadOutcome::request;
    }
    // A response built outside the co_await expression: GCC 12 miscompiles
    // brace-initialised temporaries there (a double free on the 431 path).
    auto response = rejection(header_ec, parser.is_header_done() ? parser.get().version() : 11,
                              parser.is_header_done() ? "request body" : "request");
    if (!response) {
        co_return ReadOutcome::closed;
    }
    const std::string method = parser.is_header_done() ? std::string(parser.get().method_string()) : "-";
    const std::string target = parser.is_header_done() ? std::string(parser.get().target()) : "-";
    co_await reply(std::move(*response), method, target, HttpMetrics::kUnmatchedRoute, started);
    co_return ReadOutcome::rejected;
}

beast::error_code HttpConnection::parse_buffered(http::request_parser<http::string_body>& parser) {
    beast::error_code ec;
    parser.eager(true);
    while (buffer_.size() > 0 && !parser.is_done()) {
        const auto used = parser.put(buffer_.data(), ec);
        buffer_.consume(used);
        if (ec == http::error::need_more) {
            return {};  // the rest is read
        }
        if (ec || used == 0) {
            break;
        }
    }
    return ec;
}

Response HttpConnection::body_too_large(unsigned http_version) const {
    return error_response({http::status::payload_too_large, "body_too_large",
                           fmt::format("the request body exceeds the limit of {} bytes", limits_.max_body_bytes),
                           std::nullopt, std::nullopt},
                          http_version, false);
}

asio::awaitable<Response> HttpConnection::dispatch(RequestContext& context) {
    auto response = route(context);
    if (response) {
        co_return std::move(*response);
    }
    const auto& request = context.request;
    auto admitted = services_.gate.admit(request, context.query, context.access);
    if (!admitted) {
        auto refusal = error_response(admitted.error(), request.version(), request.keep_alive());
        co_return refusal;
    }
    context.principal = std::move(*admitted);
    try {
        co_return co_await (*context.handler)(context);
    } catch (const std::exception& error) {
        spdlog::error("{} {}: unhandled error: {}", request.method_string(), core::redact_target(request.target()),
                      error.what());
    }
    const ApiError internal{http::status::internal_server_error, "internal_error",
                            "internal error; the details are in the server log", std::nullopt, std::nullopt};
    auto failure = error_response(internal, request.version(), request.keep_alive());
    co_return failure;
}

// Finds the handler, or the error response when there is none.
std::optional<Response> HttpConnection::route(RequestContext& context) const {
    const auto& request = context.request;
    if (!split_target(request.target(), context.path_segments, context.query)) {
        return error_response(ApiError::bad_request("invalid_target", "the request target is not a valid path"),
                              request.version(), request.keep_alive());
    }
    auto match = services_.router.match(request.method(), context.path_segments);
    if (match.outcome == RouteOutcome::not_found) {
        const ApiError error{
            http::status::not_found, "route_not_found",
            fmt::format("no route for {} {}", request.method_string(), core::redact_target(request.target())),
            std::nullopt, std::nullopt};
        return error_response(error, request.version(), request.keep_alive());
    }
    if (match.outcome == RouteOutcome::method_not_allowed) {
        const ApiError error{http::status::method_not_allowed, "method_not_allowed",
                             fmt::format("{} is not allowed here; allowed: {}", request.method_string(), match.allowed),
                             std::nullopt, std::nullopt};
        auto response = error_response(error, request.version(), request.keep_alive());
        response.set(http::field::allow, match.allowed);
        return response;
    }
    context.params = std::move(match.params);
    context.route = match.pattern;
    context.access = match.access;
    context.handler = match.handler;
    return std::nullopt;
}

asio::awaitable<void> HttpConnection::reply(Response response, std::string_view method, std::string_view target,
                                            std::string_view route, std::chrono::steady_clock::time_point started) {
    const auto status = response.result_int();
    const auto bytes = response.body().size();
    const core::WireMessage<false> wire(response);
    const auto ec = co_await core::write_now(stream_, wire.buffers(), limits_.body_timeout);
    record(method, target, route, status, bytes, started);
    if (ec) {
        draining_ = true;
    }
}

void HttpConnection::record(std::string_view method, std::string_view target, std::string_view route, unsigned status,
                            std::size_t bytes, std::chrono::steady_clock::time_point started) {
    const auto duration = std::chrono::steady_clock::now() - started;
    services_.metrics.record(route, status, duration);
    core::log_access(
        {method, target, status, bytes, std::chrono::duration_cast<std::chrono::microseconds>(duration), remote_});
}

void HttpConnection::drain(bool force) {
    draining_ = true;
    if (idle_ || force) {
        stream_.close();
    }
}

}  // namespace parley::server
