#include "server/websocket/ws_session.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/serialize.hpp>

#include "core/message_json.hpp"
#include "core/version.hpp"
#include "server/api_error.hpp"

namespace parley::server::websocket {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
namespace ws = boost::beast::websocket;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// The close code the writer sends when the queue closes for `reason`; none
// when the reader ended the connection.
std::optional<ws::close_reason> close_for(core::SubscriberClose reason) {
    switch (reason) {
        case core::SubscriberClose::too_slow:
            return ws::close_reason(ws::close_code::policy_error, "too slow: resume with after_seq");
        case core::SubscriberClose::shutdown: return ws::close_reason(ws::close_code::going_away, "server shutdown");
        // One subscriber serves every subscription, and deleting a session
        // closes it: the client resubscribes the others with after_seq.
        case core::SubscriberClose::session_deleted:
            return ws::close_reason(ws::close_code::normal, "a subscribed session was deleted");
        case core::SubscriberClose::open:
        case core::SubscriberClose::unsubscribed: return std::nullopt;
    }
    return std::nullopt;
}

json::object with_ref(json::object frame, const std::optional<json::value>& ref) {
    if (ref) {
        frame["ref"] = *ref;
    }
    return frame;
}

}  // namespace

WsSession::WsSession(asio::ip::tcp::socket socket, std::string tenant, const WsServices& services, WsLimits limits)
    : ws_(std::move(socket)),
      tenant_(std::move(tenant)),
      services_(services),
      limits_(limits),
      outbound_(std::make_shared<OutboundQueue>(ws_.get_executor(), limits.outbound_queue)),
      subscriptions_(limits.max_subscriptions) {}

asio::awaitable<bool> WsSession::accept(const Request& request) {
    // The websocket stream keeps its own timers: the TCP stream's must be off.
    beast::get_lowest_layer(ws_).expires_never();
    ws::stream_base::timeout timeout{};
    timeout.handshake_timeout = limits_.handshake_timeout;
    timeout.idle_timeout = limits_.idle_timeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.set_option(ws::stream_base::decorator([](ws::response_type& response) {
        response.set(http::field::server, fmt::format("parley/{}", core::kVersion));
    }));
    ws_.read_message_max(limits_.max_frame_bytes);
    auto [ec] = co_await ws_.async_accept(request, kAsTuple);
    if (ec) {
        close_socket();  // after Beast's error response, as the HTTP connection would
    }
    co_return !ec;
}

void WsSession::start() {
    services_.metrics.ws_connections().increment();
    // Registered before the HTTP connection that upgraded unregisters, so
    // shutdown never sees an empty registry while this connection lives.
    // Shutdown reaches a connection without subscriptions through it.
    const auto registration = services_.registry.add([weak = std::weak_ptr<OutboundQueue>(outbound_)](bool) {
        if (auto outbound = weak.lock()) {
            outbound->close(core::SubscriberClose::shutdown);
        }
    });
    asio::co_spawn(ws_.get_executor(), serve_reads(shared_from_this(), registration), asio::detached);
    asio::co_spawn(ws_.get_executor(), serve_writes(shared_from_this(), registration), asio::detached);
}

asio::awaitable<void> WsSession::serve_reads(std::shared_ptr<WsSession> session, std::uint64_t registration) {
    co_await session->read_frames();
    session->end_half(registration);
}

asio::awaitable<void> WsSession::serve_writes(std::shared_ptr<WsSession> session, std::uint64_t registration) {
    co_await session->write_frames();
    session->end_half(registration);
}

void WsSession::end_half(std::uint64_t registration) {
    if (++halves_ended_ < 2) {
        return;
    }
    detach_all();
    close_socket();
    services_.registry.remove(registration);
    services_.metrics.ws_connections().decrement();
}

asio::awaitable<void> WsSession::read_frames() {
    try {
        for (;;) {
            beast::flat_buffer buffer;
            auto [ec, bytes] = co_await ws_.async_read(buffer, kAsTuple);
            if (ec) {
                // A close from either side, a timeout, or a frame over the
                // limit (Beast has then sent 1009).
                if (ec != ws::error::closed && ec != asio::error::operation_aborted) {
                    spdlog::debug("websocket: read ended: {}", ec.message());
                }
                break;
            }
            if (!ws_.got_text()) {
                reply_error(FrameError{"invalid_frame", "frames must be text (one JSON object each)", std::nullopt,
                                       std::nullopt});
                continue;
            }
            co_await handle(beast::buffers_to_string(buffer.data()));
        }
    } catch (const std::exception& error) {
        spdlog::error("websocket: {}", error.what());
    }
    // Stops the writer unless it already stopped.
    outbound_->close(core::SubscriberClose::unsubscribed);
}

asio::awaitable<void> WsSession::write_frames() {
    bool open = true;
    try {
        while (open) {
            auto batch = co_await outbound_->next();
            if (!batch) {
                break;
            }
            for (const auto& frame : batch->control) {
                open = open && co_await write_text(*frame);
            }
            for (const auto& event : batch->events) {
                if (open && subscriptions_.admit(*event)) {
                    open = co_await write_text(event->json);
                }
            }
        }
        if (!open) {
            co_return;  // the socket failed: the reader ends too
        }
        if (auto reason = close_for(outbound_->close_reason())) {
            auto [ec] = co_await ws_.async_close(*reason, kAsTuple);
            if (ec) {
                spdlog::debug("websocket: close failed: {}", ec.message());
            }
        }
    } catch (const std::exception& error) {
        spdlog::error("websocket: {}", error.what());
    }
}

asio::awaitable<bool> WsSession::write_text(std::string_view text) {
    ws_.text(true);
    auto [ec, bytes] = co_await ws_.async_write(asio::buffer(text.data(), text.size()), kAsTuple);
    co_return !ec;
}

asio::awaitable<void> WsSession::handle(std::string text) {
    auto parsed = parse_client_frame(text);
    if (!parsed) {
        reply_error(parsed.error());
        co_return;
    }
    auto frame = std::move(*parsed);
    switch (frame.type) {
        case ClientFrameType::create_session: co_await create_session(std::move(frame)); break;
        case ClientFrameType::subscribe: co_await subscribe(std::move(frame)); break;
        case ClientFrameType::unsubscribe: unsubscribe(frame); break;
        case ClientFrameType::send: co_await send(std::move(frame)); break;
        case ClientFrameType::interrupt: co_await interrupt(std::move(frame)); break;
        case ClientFrameType::ping: reply(json::object{{"type", "pong"}}, frame); break;
    }
}

asio::awaitable<void> WsSession::create_session(ClientFrame frame) {
    core::NewSession request{tenant_, frame.agent, frame.title, frame.metadata};
    auto created = co_await services_.sessions.create(std::move(request));
    if (!created) {
        reply_error(created.error(), frame);
        co_return;
    }
    reply(json::object{{"type", "session"}, {"session", core::session_json(*created, created->last_seq)}}, frame);
}

asio::awaitable<void> WsSession::subscribe(ClientFrame frame) {
    const auto& session_id = frame.session_id;
    // Subscribing again restarts the subscription (a client resuming after a gap).
    if (auto previous = subscriptions_.remove(session_id)) {
        previous->detach(*outbound_->subscriber());
    }
    if (subscriptions_.full()) {
        reply_error(FrameError{"too_many_subscriptions",
                               fmt::format("a connection may subscribe to at most {} sessions", subscriptions_.limit()),
                               frame.ref, session_id});
        co_return;
    }
    auto tenant = tenant_;
    auto id = session_id;
    auto subscriber = outbound_->subscriber();
    auto after_seq = frame.after_seq;
    auto subscription =
        co_await services_.sessions.subscribe(std::move(tenant), std::move(id), std::move(subscriber), after_seq);
    if (!subscription) {
        reply_error(subscription.error(), frame);
        co_return;
    }
    const auto& attachment = subscription->attachment;
    if (attachment.result == core::AttachResult::resync) {
        reply(json::object{{"type", "resync"}, {"session_id", session_id}}, frame);
        co_return;
    }
    // The retained events now queued have seq > after_seq; older ones are not written.
    const auto written = frame.after_seq ? std::min(*frame.after_seq, attachment.last_seq) : attachment.last_seq;
    subscriptions_.add(session_id, subscription->channel, written);
    reply(json::object{{"type", "subscribed"}, {"session_id", session_id}, {"last_seq", attachment.last_seq}}, frame);
}

void WsSession::unsubscribe(const ClientFrame& frame) {
    if (auto channel = subscriptions_.remove(frame.session_id)) {
        channel->detach(*outbound_->subscriber());
    }
    reply(json::object{{"type", "unsubscribed"}, {"session_id", frame.session_id}}, frame);
}

asio::awaitable<void> WsSession::send(ClientFrame frame) {
    const auto session_id = frame.session_id;
    const bool subscribed = subscriptions_.contains(session_id);
    if (!subscribed && subscriptions_.full()) {
        reply_error(FrameError{"too_many_subscriptions",
                               fmt::format("a connection may subscribe to at most {} sessions; the message was not "
                                           "accepted",
                                           subscriptions_.limit()),
                               frame.ref, session_id});
        co_return;
    }
    // Recorded before the send: the turn's events may reach the writer before it returns.
    if (!subscribed) {
        subscriptions_.add(session_id, nullptr, 0);
    }
    core::SendRequest request{tenant_, session_id, std::move(frame.content), nullptr, nullptr};
    if (!subscribed) {
        request.subscriber = outbound_->subscriber();
    }
    // On the session's executor, before the turn's first event is published.
    request.on_accepted = [outbound = outbound_, session_id, ref = frame.ref](const std::string& turn_id) {
        const auto accepted =
            with_ref(json::object{{"type", "accepted"}, {"session_id", session_id}, {"turn_id", turn_id}}, ref);
        outbound->push_control(json::serialize(accepted));
    };
    auto accepted = co_await services_.sessions.send(std::move(request));
    if (!accepted) {
        if (!subscribed) {
            (void)subscriptions_.remove(session_id);
        }
        reply_error(accepted.error(), frame);
        co_return;
    }
    if (!subscribed) {
        subscriptions_.set_channel(session_id, accepted->channel);
    }
}

asio::awaitable<void> WsSession::interrupt(ClientFrame frame) {
    auto tenant = tenant_;
    auto session_id = frame.session_id;
    auto interrupted = co_await services_.sessions.interrupt(std::move(tenant), std::move(session_id));
    if (!interrupted) {
        reply_error(interrupted.error(), frame);
        co_return;
    }
    reply(json::object{{"type", "interrupted"}, {"session_id", frame.session_id}, {"interrupted", *interrupted}},
          frame);
}

void WsSession::reply(json::object frame, const ClientFrame& to) {
    outbound_->push_control(json::serialize(with_ref(std::move(frame), to.ref)));
}

void WsSession::reply_error(const FrameError& error) {
    json::object frame{{"type", "error"}, {"code", error.code}, {"message", error.message}};
    if (error.session_id) {
        frame["session_id"] = *error.session_id;
    }
    outbound_->push_control(json::serialize(with_ref(std::move(frame), error.ref)));
}

void WsSession::reply_error(const core::ServiceError& error, const ClientFrame& to) {
    const auto api_error = to_api_error(error);
    std::optional<std::string> session_id;
    if (!to.session_id.empty()) {
        session_id = to.session_id;
    }
    reply_error(FrameError{api_error.code, api_error.message, to.ref, session_id});
}

void WsSession::close_socket() {
    auto& stream = beast::get_lowest_layer(ws_);
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    stream.close();
}

void WsSession::detach_all() {
    const auto& subscriber = *outbound_->subscriber();
    for (const auto& channel : subscriptions_.take_all()) {
        channel->detach(subscriber);
    }
}

}  // namespace parley::server::websocket
