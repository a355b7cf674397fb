#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <tuple>
#include <variant>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "core/net/http_error.hpp"
#include "core/net/http_origin.hpp"
#include "core/net/http_request.hpp"

namespace parley::core {

// One keep-alive connection to an origin, plain TCP or TLS. Every operation has
// a deadline (Beast's stream timer) and honours the awaiting coroutine's Asio
// cancellation; a failed operation leaves the connection unusable (close() it).
class HttpConnection {
public:
    using TcpStream = boost::beast::tcp_stream;
    using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
    using ResponseParser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;
    using Request = boost::beast::http::request<boost::beast::http::string_body>;

    // Resolves, connects and (for https) handshakes with SNI and host name verification.
    // `tls_context` must be non-null for a TLS origin and outlive the connection.
    // With `allow_address` set, only the addresses it allows are connected to
    // (none allowed: a network error with address_refused).
    static boost::asio::awaitable<HttpResult<std::unique_ptr<HttpConnection>>> connect(
        HttpOrigin origin, boost::asio::ssl::context* tls_context, std::chrono::milliseconds timeout,
        AddressFilter allow_address = {});

    HttpConnection(boost::asio::any_io_executor executor, boost::asio::ssl::context* tls_context);

    boost::asio::awaitable<boost::system::error_code> write(const Request& request, std::chrono::milliseconds timeout);
    boost::asio::awaitable<boost::system::error_code> read_header(ResponseParser& parser,
                                                                  std::chrono::milliseconds timeout);
    // Reads and parses what arrives into the parser's buffer_body; returns the body bytes written.
    boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> read_some(
        ResponseParser& parser, std::chrono::milliseconds timeout);

    // False when the peer closed the idle connection (or sent something unexpected);
    // checked without blocking before a pooled connection is reused.
    [[nodiscard]] bool looks_alive();

    // Closes the socket at once (no TLS close_notify: the connection is being abandoned).
    void close();

    [[nodiscard]] bool is_open() const;
    // The execution context (I/O thread) whose reactor serves the socket.
    [[nodiscard]] const boost::asio::execution_context& context();
    // The peer's address; nullopt when the socket is not connected.
    [[nodiscard]] std::optional<boost::asio::ip::address> peer_address() const;

private:
    boost::asio::awaitable<boost::system::error_code> establish(const HttpOrigin& origin,
                                                                std::chrono::milliseconds timeout,
                                                                const AddressFilter& allow_address);
    TcpStream& tcp();

    std::variant<TcpStream, TlsStream> stream_;
    // Beast reads as much as the buffer's free capacity (at least 512 bytes): with
    // less, a response's head and first SSE events took several reads to arrive.
    static constexpr std::size_t kReadBufferBytes = 4096;
    boost::beast::flat_buffer buffer_;
};

}  // namespace parley::core
