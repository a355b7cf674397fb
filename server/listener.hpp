#pragma once

#include <functional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server/connection_registry.hpp"
#include "server/http_connection.hpp"
#include "server/io_threads.hpp"
#include "server/router.hpp"

namespace parley::server {

// Accepts TCP connections and runs each as an HttpConnection on the next of the
// I/O threads' contexts (one thread each: the context is the connection's strand).
class Listener {
public:
    // Binds and listens at once, so a bad address fails before anything runs.
    Listener(boost::asio::io_context& io, IoThreads& threads, const boost::asio::ip::tcp::endpoint& endpoint,
             const ConnectionServices& services);

    [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

    boost::asio::awaitable<void> accept_connections();

    // Stops accepting; established connections are left to the registry's drain.
    void stop();

private:
    boost::asio::io_context& io_;
    IoThreads& threads_;
    boost::asio::ip::tcp::acceptor acceptor_;
    const ConnectionServices& services_;
};

}  // namespace parley::server
