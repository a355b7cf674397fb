#include "core/net/http_connection.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/read.hpp>

#include "core/net/wire_message.hpp"
#include "core/net/write_now.hpp"

namespace parley::core {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

std::variant<HttpConnection::TcpStream, HttpConnection::TlsStream> make_stream(asio::any_io_executor executor,
                                                                               asio::ssl::context* tls_context) {
    if (tls_context == nullptr) {
        return std::variant<HttpConnection::TcpStream, HttpConnection::TlsStream>(
            std::in_place_type<HttpConnection::TcpStream>, std::move(executor));
    }
    return std::variant<HttpConnection::TcpStream, HttpConnection::TlsStream>(
        std::in_place_type<HttpConnection::TlsStream>, std::move(executor), *tls_context);
}

HttpError network_error(std::string what, const boost::system::error_code& ec) {
    if (ec == beast::error::timeout) {
        return HttpError{.kind = HttpErrorKind::timeout, .message = what + " timed out"};
    }
    if (ec == asio::error::operation_aborted) {
        return HttpError{.kind = HttpErrorKind::cancelled, .message = what + " cancelled"};
    }
    return HttpError{.kind = HttpErrorKind::network, .message = what + ": " + ec.message()};
}

}  // namespace

HttpConnection::HttpConnection(asio::any_io_executor executor, asio::ssl::context* tls_context)
    : stream_(make_stream(std::move(executor), tls_context)) {
    buffer_.reserve(kReadBufferBytes);
}

HttpConnection::TcpStream& HttpConnection::tcp() {
    return std::visit([](auto& stream) -> TcpStream& { return beast::get_lowest_layer(stream); }, stream_);
}

std::optional<asio::ip::address> HttpConnection::peer_address() const {
    boost::system::error_code ec;
    const auto endpoint = std::visit(
        [&ec](const auto& stream) { return beast::get_lowest_layer(stream).socket().remote_endpoint(ec); }, stream_);
    if (ec) {
        return std::nullopt;
    }
    return endpoint.address();
}

bool HttpConnection::is_open() const {
    return std::visit([](const auto& stream) { return beast::get_lowest_layer(stream).socket().is_open(); }, stream_);
}

asio::awaitable<HttpResult<std::unique_ptr<HttpConnection>>> HttpConnection::connect(HttpOrigin origin,
                                                                                     asio::ssl::context* tls_context,
                                                                                     std::chrono::milliseconds timeout,
                                                                                     AddressFilter allow_address) {
    auto executor = co_await asio::this_coro::executor;
    auto connection = std::make_unique<HttpConnection>(executor, origin.tls ? tls_context : nullptr);
    const auto ec = co_await connection->establish(origin, timeout, allow_address);
    if (ec) {
        connection->close();
        if (allow_address && ec == asio::error::access_denied) {
            co_return HttpError{.kind = HttpErrorKind::network,
                                .message = "connect to " + origin.key() + ": no address of the host is allowed",
                                .address_refused = true};
        }
        std::string what = "connect to " + origin.key();
        if (ec.category() == asio::error::get_ssl_category()) {
            co_return network_error("TLS handshake with " + origin.key(), ec);
        }
        co_return network_error(std::move(what), ec);
    }
    co_return connection;
}

asio::awaitable<boost::system::error_code> HttpConnection::establish(const HttpOrigin& origin,
                                                                     std::chrono::milliseconds timeout,
                                                                     const AddressFilter& allow_address) {
    auto& lowest = tcp();
    boost::system::error_code ec;
    boost::system::error_code address_ec;
    const auto address = asio::ip::make_address(origin.host, address_ec);
    const bool is_literal = !address_ec;
    lowest.expires_after(timeout);
    if (is_literal) {
        if (allow_address && !allow_address(address)) {
            co_return asio::error::access_denied;
        }
        // An address literal needs no resolver.
        auto [connect_ec] = co_await lowest.async_connect(tcp::endpoint(address, origin.port), kAsTuple);
        ec = connect_ec;
    } else {
        tcp::resolver resolver(lowest.get_executor());
        auto [resolve_ec, results] =
            co_await resolver.async_resolve(origin.host, std::to_string(origin.port), kAsTuple);
        if (resolve_ec) {
            co_return resolve_ec;
        }
        // Only the allowed addresses are tried: the check covers what is actually connected to.
        std::vector<tcp::endpoint> endpoints;
        for (const auto& entry : results) {
            if (!allow_address || allow_address(entry.endpoint().address())) {
                endpoints.push_back(entry.endpoint());
            }
        }
        if (endpoints.empty()) {
            co_return asio::error::access_denied;
        }
        auto [connect_ec, endpoint] = co_await lowest.async_connect(endpoints, kAsTuple);
        ec = connect_ec;
    }
    if (ec) {
        co_return ec;
    }
    lowest.socket().set_option(tcp::no_delay(true), ec);
    auto* tls = std::get_if<TlsStream>(&stream_);
    if (tls == nullptr) {
        lowest.expires_never();
        co_return boost::system::error_code{};
    }
    // SNI, then the certificate must name the host we asked for.
    // SNI carries host names only, never address literals (RFC 6066).
    if (!is_literal && SSL_set_tlsext_host_name(tls->native_handle(), origin.host.c_str()) != 1) {
        co_return boost::system::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    }
    tls->set_verify_mode(asio::ssl::verify_peer);
    tls->set_verify_callback(asio::ssl::host_name_verification(origin.host));
    auto [handshake_ec] = co_await tls->async_handshake(asio::ssl::stream_base::client, kAsTuple);
    lowest.expires_never();
    co_return handshake_ec;
}

asio::awaitable<boost::system::error_code> HttpConnection::write(const Request& request,
                                                                 std::chrono::milliseconds timeout) {
    const WireMessage<true> wire(request);
    if (auto* plain = std::get_if<TcpStream>(&stream_)) {
        co_return co_await write_now(*plain, wire.buffers(), timeout);
    }
    auto& tls = std::get<TlsStream>(stream_);
    tcp().expires_after(timeout);
    auto [ec, written] = co_await asio::async_write(tls, wire.buffers(), kAsTuple);
    co_return ec;
}

asio::awaitable<boost::system::error_code> HttpConnection::read_header(ResponseParser& parser,
                                                                       std::chrono::milliseconds timeout) {
    tcp().expires_after(timeout);
    auto [ec, read] = co_await std::visit(
        [this, &parser](auto& stream) { return http::async_read_header(stream, buffer_, parser, kAsTuple); }, stream_);
    co_return ec;
}

asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> HttpConnection::read_some(
    ResponseParser& parser, std::chrono::milliseconds timeout) {
    const std::size_t capacity = parser.get().body().size;
    if (buffer_.size() > 0) {
        // What the buffer holds already (often the whole body, read with the header) is
        // parsed here: Beast's read would need no read either, and complete through a post.
        boost::system::error_code ec;
        const auto used = parser.put(buffer_.data(), ec);
        buffer_.consume(used);
        const std::size_t produced = capacity - parser.get().body().size;
        const bool starved = ec == http::error::need_more;
        if (ec == http::error::need_buffer || starved) {
            ec = {};
        }
        if (!starved || used > 0) {
            co_return std::tuple{ec, produced};
        }
    }
    tcp().expires_after(timeout);
    auto [ec, read] = co_await std::visit(
        [this, &parser](auto& stream) { return http::async_read_some(stream, buffer_, parser, kAsTuple); }, stream_);
    if (ec == http::error::need_buffer) {
        ec = {};
    }
    co_return std::tuple{ec, capacity - parser.get().body().size};
}

bool HttpConnection::looks_alive() {
    if (buffer_.size() > 0) {
        return false;  // bytes after a finished response: the connection is out of step
    }
    auto& socket = tcp().socket();
    if (!socket.is_open()) {
        return false;
    }
    // One non-blocking peek (MSG_DONTWAIT), not Asio's non_blocking() toggles around a
    // receive: those cost three more system calls on every pooled request.
    char byte = 0;
    const auto peeked = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    // Would-block is the healthy answer; EOF, an error or unsolicited bytes (a TLS alert) are not.
    return peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

const asio::execution_context& HttpConnection::context() {
    return asio::query(tcp().get_executor(), asio::execution::context);
}

void HttpConnection::close() {
    auto& lowest = tcp();
    boost::system::error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest.socket().close(ignored);
}

}  // namespace parley::core
