#pragma once

#include <memory>

#include <boost/asio/awaitable.hpp>

#include "core/config_store.hpp"
#include "core/session_service.hpp"
#include "server/router.hpp"

namespace parley::server {

// A session's conversation over REST and SSE: list messages, send one (and
// wait for the turn, or stream it), interrupt the running turn, and tail the
// session's events.
class MessageHandlers {
public:
    MessageHandlers(core::SessionService& sessions, std::shared_ptr<core::ConfigStore> config);

    void add_routes(Router& router);

    boost::asio::awaitable<Response> list(RequestContext& context);
    boost::asio::awaitable<Response> send(RequestContext& context);
    boost::asio::awaitable<Response> interrupt(RequestContext& context);
    boost::asio::awaitable<Response> events(RequestContext& context);

private:
    [[nodiscard]] std::shared_ptr<core::Subscriber> make_subscriber(const boost::asio::any_io_executor& executor) const;
    boost::asio::awaitable<Response> stream_turn(RequestContext& context, std::shared_ptr<core::Subscriber> subscriber,
                                                 core::SendAccepted accepted);

    core::SessionService& sessions_;
    std::shared_ptr<core::ConfigStore> config_;
};

}  // namespace parley::server
