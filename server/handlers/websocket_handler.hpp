#pragma once

#include <memory>

#include <boost/asio/awaitable.hpp>

#include "core/config_store.hpp"
#include "server/router.hpp"
#include "server/websocket/ws_session.hpp"

namespace parley::server {

// GET /v1/ws: upgrades an authenticated request to a WebSocket connection
// (server/websocket/ws_session) and serves it until it closes.
class WebSocketHandler {
public:
    WebSocketHandler(websocket::WsServices services, std::shared_ptr<core::ConfigStore> config);

    void add_routes(Router& router);

    boost::asio::awaitable<Response> upgrade(RequestContext& context);

private:
    websocket::WsServices services_;
    std::shared_ptr<core::ConfigStore> config_;
};

}  // namespace parley::server
