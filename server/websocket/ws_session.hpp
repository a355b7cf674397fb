#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>

#include "core/session_service.hpp"
#include "server/connection_registry.hpp"
#include "server/http_metrics.hpp"
#include "server/http_types.hpp"
#include "server/websocket/client_frame.hpp"
#include "server/websocket/outbound_queue.hpp"
#include "server/websocket/subscription_set.hpp"

namespace parley::server::websocket {

struct WsLimits {
    std::size_t max_frame_bytes = 1024 * 1024;  // a larger message closes with 1009
    std::size_t max_subscriptions = 64;
    std::size_t outbound_queue = 1024;  // the subscriber's bound ([stream] subscriber_queue)
    // A control ping after half of this without traffic; closed after all of it.
    std::chrono::seconds idle_timeout{60};
    std::chrono::seconds handshake_timeout{10};
};

// What every WebSocket connection shares; outlives them all.
struct WsServices {
    core::SessionService& sessions;
    ConnectionRegistry& registry;
    HttpMetrics& metrics;
};

// One upgraded connection (API.md, WebSocket): a reader coroutine that parses
// and answers client frames one at a time, and a single writer coroutine that
// drains the connection's OutboundQueue, both on the connection's I/O thread (its
// context, run by that one thread, serialises them).
// It owns the socket: once started, the HTTP connection it came from is gone,
// so an idle WebSocket keeps none of the HTTP side's buffers, request or frames.
class WsSession : public std::enable_shared_from_this<WsSession> {
public:
    WsSession(boost::asio::ip::tcp::socket socket, std::string tenant, const WsServices& services, WsLimits limits);

    // Answers the upgrade request with 101; false when the handshake failed.
    boost::asio::awaitable<bool> accept(const Request& request);
    // Registers the connection (for shutdown) and serves it on its context
    // until the client leaves or the server closes it; returns at once.
    void start();

private:
    // The reader and the writer run as two coroutines on the connection's
    // context; whichever ends last tears the connection down (end_half). Two
    // plain coroutines instead of `read_frames() && write_frames()`: the
    // parallel group cost every idle connection about 1 KiB.
    static boost::asio::awaitable<void> serve_reads(std::shared_ptr<WsSession> session, std::uint64_t registration);
    static boost::asio::awaitable<void> serve_writes(std::shared_ptr<WsSession> session, std::uint64_t registration);
    void end_half(std::uint64_t registration);
    boost::asio::awaitable<void> read_frames();
    boost::asio::awaitable<void> write_frames();
    boost::asio::awaitable<bool> write_text(std::string_view text);
    boost::asio::awaitable<void> handle(std::string text);

    boost::asio::awaitable<void> create_session(ClientFrame frame);
    boost::asio::awaitable<void> subscribe(ClientFrame frame);
    void unsubscribe(const ClientFrame& frame);
    boost::asio::awaitable<void> send(ClientFrame frame);
    boost::asio::awaitable<void> interrupt(ClientFrame frame);

    void reply(boost::json::object frame, const ClientFrame& to);
    void reply_error(const FrameError& error);
    void reply_error(const core::ServiceError& error, const ClientFrame& to);
    void detach_all();
    void close_socket();

    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    std::string tenant_;
    const WsServices& services_;
    WsLimits limits_;
    std::shared_ptr<OutboundQueue> outbound_;
    SubscriptionSet subscriptions_;
    unsigned halves_ended_ = 0;  // of the reader and the writer; on the connection's thread
};

}  // namespace parley::server::websocket
