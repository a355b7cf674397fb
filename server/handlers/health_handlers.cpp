#include "server/handlers/health_handlers.hpp"

#include <boost/json/object.hpp>

#include "server/api_error.hpp"

namespace parley::server {

HealthHandlers::HealthHandlers(std::function<bool()> ready) : ready_(std::move(ready)) {}

void HealthHandlers::add_routes(Router& router) {
    router.add(
        http::verb::get, "/healthz", [this](RequestContext& context) { return healthz(context); }, RouteAccess::open);
    router.add(
        http::verb::get, "/readyz", [this](RequestContext& context) { return readyz(context); }, RouteAccess::open);
}

boost::asio::awaitable<Response> HealthHandlers::healthz(RequestContext& context) {
    co_return json_response(http::status::ok, boost::json::object{{"status", "ok"}}, context.request.version(),
                            context.request.keep_alive());
}

boost::asio::awaitable<Response> HealthHandlers::readyz(RequestContext& context) {
    if (!ready_()) {
        // Every error body has the API's error shape, the probe's too.
        const ApiError not_ready{http::status::service_unavailable, "not_ready",
                                 "storage is not available or the server is shutting down", std::nullopt, 1U};
        co_return error_response(not_ready, context.request.version(), context.request.keep_alive());
    }
    co_return json_response(http::status::ok, boost::json::object{{"status", "ready"}}, context.request.version(),
                            context.request.keep_alive());
}

}  // namespace parley::server
