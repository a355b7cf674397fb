#include "server/api_routes.hpp"

namespace parley::server {

ApiRoutes::ApiRoutes(const ApiServices& services, Router& router)
    : sessions_(services.sessions, services.config),
      messages_(services.sessions, services.config),
      metrics_(services.metrics, services.sessions, services.store) {
    sessions_.add_routes(router);
    messages_.add_routes(router);
    metrics_.add_routes(router);
    web_.add_routes(router);
}

}  // namespace parley::server
