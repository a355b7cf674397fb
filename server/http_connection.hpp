#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/auth/access_gate.hpp"
#include "server/connection_registry.hpp"
#include "server/http_metrics.hpp"
#include "server/http_types.hpp"
#include "server/router.hpp"

namespace parley::server {

struct HttpLimits {
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::chrono::seconds header_timeout{10};
    std::chrono::seconds body_timeout{30};
    std::chrono::seconds keepalive_timeout{75};
};

// What every connection shares. Owned by the daemon; outlives every connection.
struct ConnectionServices {
    const Router& router;
    AccessGate& gate;
    ConnectionRegistry& registry;
    HttpMetrics& metrics;
    HttpLimits limits;
};

// One client connection: reads requests one after another (keep-alive and
// pipelining), routes each, writes the response. Runs as one coroutine on the
// socket's strand. Timeouts bound every read so a slow client cannot hold it.
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
public:
    HttpConnection(boost::asio::ip::tcp::socket socket, const ConnectionServices& services);

    // Serves until the client leaves, a timeout fires, or shutdown drains it.
    boost::asio::awaitable<void> run();

    [[nodiscard]] boost::beast::tcp_stream::executor_type executor() { return stream_.get_executor(); }

private:
    enum class ReadOutcome { request, closed, rejected };

    boost::asio::awaitable<bool> await_next_request();
    boost::asio::awaitable<ReadOutcome> read_request(Request& request);
    // Feeds the parser what the buffer holds; need_more is no error (the rest is read).
    boost::beast::error_code parse_buffered(http::request_parser<http::string_body>& parser);
    boost::asio::awaitable<Response> dispatch(RequestContext& context);
    [[nodiscard]] std::optional<Response> route(RequestContext& context) const;
    boost::asio::awaitable<void> reply(Response response, std::string_view method, std::string_view target,
                                       std::string_view route, std::chrono::steady_clock::time_point started);
    void record(std::string_view method, std::string_view target, std::string_view route, unsigned status,
                std::size_t bytes, std::chrono::steady_clock::time_point started);
    [[nodiscard]] Response body_too_large(unsigned http_version) const;
    [[nodiscard]] std::optional<Response> rejection(const boost::beast::error_code& ec, unsigned http_version,
                                                    std::string_view what) const;
    void drain(bool force);

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    const ConnectionServices& services_;
    const HttpLimits& limits_;
    std::string remote_;
    bool idle_ = false;
    bool draining_ = false;
};

}  // namespace parley::server
