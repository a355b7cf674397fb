#include "server/handlers/websocket_handler.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

#include "server/response.hpp"

namespace parley::server {

namespace asio = boost::asio;

WebSocketHandler::WebSocketHandler(websocket::WsServices services, std::shared_ptr<core::ConfigStore> config)
    : services_(services), config_(std::move(config)) {}

void WebSocketHandler::add_routes(Router& router) {
    router.add(
        http::verb::get, "/v1/ws", [this](RequestContext& context) { return upgrade(context); }, RouteAccess::tenant);
}

asio::awaitable<Response> WebSocketHandler::upgrade(RequestContext& context) {
    if (!boost::beast::websocket::is_upgrade(context.request)) {
        const ApiError error{http::status::upgrade_required, "upgrade_required",
                             "GET /v1/ws is a WebSocket endpoint: send an Upgrade: websocket request", std::nullopt,
                             std::nullopt};
        auto response = reply_error(context, error);
        response.set(http::field::upgrade, "websocket");
        co_return response;
    }
    websocket::WsLimits limits;
    limits.outbound_queue = config_->current()->config.stream.subscriber_queue;
    // From here on the socket belongs to the WebSocket session; the HTTP
    // connection ends once this returns (closing the moved-from socket is a no-op).
    auto session = std::make_shared<websocket::WsSession>(std::move(context.stream->socket()), context.principal.tenant,
                                                          services_, limits);
    context.response_sent = true;
    if (!co_await session->accept(context.request)) {
        context.sent_status = static_cast<unsigned>(http::status::bad_request);
        co_return Response{};
    }
    context.sent_status = static_cast<unsigned>(http::status::switching_protocols);
    session->start();
    co_return Response{};
}

}  // namespace parley::server
