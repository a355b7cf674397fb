#pragma once

#include <memory>

#include "core/config_store.hpp"
#include "core/metrics/metrics_registry.hpp"
#include "core/session_service.hpp"
#include "server/connection_registry.hpp"
#include "server/handlers/message_handlers.hpp"
#include "server/handlers/metrics_handler.hpp"
#include "server/handlers/openai_handlers.hpp"
#include "server/handlers/session_handlers.hpp"
#include "server/handlers/static_handlers.hpp"
#include "server/handlers/websocket_handler.hpp"
#include "server/http_metrics.hpp"
#include "server/router.hpp"
#include "storage/store.hpp"

namespace parley::server {

// What the API's handlers reach. Everything outlives the routes.
struct ApiServices {
    core::SessionService& sessions;
    storage::Store& store;
    std::shared_ptr<core::ConfigStore> config;
    core::MetricsRegistry& metrics;
    HttpMetrics& http_metrics;
    ConnectionRegistry& connections;  // WebSocket connections register for shutdown
};

// Every route of the public API (API.md) but the probes, on one router.
class ApiRoutes {
public:
    ApiRoutes(const ApiServices& services, Router& router);

private:
    SessionHandlers sessions_;
    MessageHandlers messages_;
    MetricsHandler metrics_;
    WebSocketHandler websocket_;
    OpenAiHandlers openai_;
    StaticHandlers web_;
};

}  // namespace parley::server
