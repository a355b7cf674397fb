#include "server/listener.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace parley::server {

namespace asio = boost::asio;
namespace {
constexpr std::chrono::milliseconds kAcceptBackoff{50};
}  // namespace

Listener::Listener(asio::io_context& io, IoThreads& threads, const asio::ip::tcp::endpoint& endpoint,
                   const ConnectionServices& services)
    : io_(io), threads_(threads), acceptor_(io), services_(services) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
}

asio::awaitable<void> Listener::accept_connections() {
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(threads_.next(), asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
            co_return;
        }
        if (ec) {
            // Out of descriptors and the like: back off briefly rather than spin.
            spdlog::warn("accept failed: {}", ec.message());
            asio::steady_timer backoff(io_, kAcceptBackoff);
            co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        // Streamed responses are many small writes: with Nagle's algorithm each one waits for the
        // client's (delayed, up to 40 ms) ACK of the previous one.
        boost::system::error_code ignored;
        socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        auto connection = std::make_shared<HttpConnection>(std::move(socket), services_);
        // The spawned coroutine owns the connection: on another I/O thread it starts after
        // this loop has moved on (and dropped its reference).
        const auto executor = connection->executor();
        asio::co_spawn(
            executor, [connection = std::move(connection)] { return connection->run(); }, asio::detached);
    }
}

void Listener::stop() {
    asio::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    });
}

}  // namespace parley::server
