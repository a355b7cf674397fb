#pragma once

#include <chrono>
#include <string_view>

#include "core/metrics/metrics_registry.hpp"

namespace parley::server {

// The request-level metrics: parley_http_requests_total{route,status},
// parley_http_request_duration_seconds{route} and parley_ws_connections.
class HttpMetrics {
public:
    explicit HttpMetrics(core::MetricsRegistry& registry);

    // `route` is the matched route template, or "unmatched".
    void record(std::string_view route, unsigned status, std::chrono::steady_clock::duration duration);

    [[nodiscard]] core::Gauge& ws_connections() { return ws_connections_; }

    static constexpr std::string_view kUnmatchedRoute = "unmatched";

private:
    core::MetricFamily<core::Counter>& requests_;
    core::MetricFamily<core::Histogram>& durations_;
    core::Gauge& ws_connections_;
};

}  // namespace parley::server
