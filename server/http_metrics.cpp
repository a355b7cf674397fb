#include "server/http_metrics.hpp"

#include <string>

namespace parley::server {
namespace {

// Sub-millisecond at the low end (most REST calls), minutes at the top (streams).
std::vector<double> request_duration_buckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
}

}  // namespace

HttpMetrics::HttpMetrics(core::MetricsRegistry& registry)
    : requests_(registry.counter_family("parley_http_requests_total", "HTTP requests answered, by route and status",
                                        {"route", "status"})),
      durations_(registry.histogram_family("parley_http_request_duration_seconds",
                                           "Time from a request's first byte to its response written, by route",
                                           {"route"}, request_duration_buckets())),
      ws_connections_(registry.gauge("parley_ws_connections", "Open WebSocket connections")) {}

void HttpMetrics::record(std::string_view route, unsigned status, std::chrono::steady_clock::duration duration) {
    const auto series = series_for(route, status);
    series.requests->increment();
    series.duration->observe(std::chrono::duration<double>(duration).count());
}

HttpMetrics::Series HttpMetrics::series_for(std::string_view route, unsigned status) {
    const std::lock_guard lock(series_mutex_);
    if (const auto found = series_.find(SeriesLookup{route, status}); found != series_.end()) {
        return found->second;
    }
    // Routes are the router's templates and statuses a few codes: the map stays small.
    const auto status_text = std::to_string(status);
    const Series series{&requests_.with({route, status_text}), &durations_.with({route})};
    series_.emplace(SeriesKey{std::string(route), status}, series);
    return series;
}

}  // namespace parley::server
