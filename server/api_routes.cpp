#include "server/api_routes.hpp"

namespace parley::server {

ApiRoutes::ApiRoutes(const ApiServices& services, Router& router)
    : sessions_(services.sessions, services.config),
      messages_(services.sessions, services.config),
      metrics_(services.metrics, services.sessions, services.store),
      websocket_({services.sessions, services.connections, services.http_metrics}, services.config),
      openai_(services.sessions, services.config) {
    sessions_.add_routes(router);
    messages_.add_routes(router);
    metrics_.add_routes(router);
    websocket_.add_routes(router);
    openai_.add_routes(router);
    web_.add_routes(router);
}

}  // namespace parley::server
