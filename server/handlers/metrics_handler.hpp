#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/metrics/metrics_registry.hpp"
#include "core/session_service.hpp"
#include "server/router.hpp"
#include "storage/store.hpp"

namespace parley::server {

// GET /metrics in Prometheus text format. Registers the families read at
// scrape time from the components that keep their own figures: turns, the
// agent cache and the storage writer.
class MetricsHandler {
public:
    MetricsHandler(core::MetricsRegistry& registry, const core::SessionService& sessions, const storage::Store& store);

    void add_routes(Router& router);

    boost::asio::awaitable<Response> metrics(RequestContext& context);

private:
    core::MetricsRegistry& registry_;
};

}  // namespace parley::server
