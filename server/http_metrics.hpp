#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

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
    // The series of one route and status, looked up in the families once: a family's
    // with() builds and escapes its label set, which showed in the gateway's profile.
    struct Series {
        core::Counter* requests;
        core::Histogram* duration;
    };
    struct SeriesKey {
        std::string route;
        unsigned status;
    };
    struct SeriesOrder {
        using is_transparent = void;
        template <class A, class B>
        bool operator()(const A& a, const B& b) const {
            return std::tie(a.route, a.status) < std::tie(b.route, b.status);
        }
    };
    struct SeriesLookup {
        std::string_view route;
        unsigned status;
    };

    Series series_for(std::string_view route, unsigned status);

    core::MetricFamily<core::Counter>& requests_;
    core::MetricFamily<core::Histogram>& durations_;
    core::Gauge& ws_connections_;
    std::mutex series_mutex_;
    std::map<SeriesKey, Series, SeriesOrder> series_;
};

}  // namespace parley::server
