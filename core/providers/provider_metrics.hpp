#pragma once

#include <chrono>
#include <string_view>

#include "core/metrics/metrics_registry.hpp"
#include "core/providers/model_types.hpp"

namespace parley::core {

// The upstream metrics of /metrics:
//   parley_upstream_requests_total{provider,outcome}  one per attempt; success|error|timeout|cancelled
//   parley_upstream_first_token_seconds{provider}      time from an attempt's start to its first event
class ProviderMetrics {
public:
    explicit ProviderMetrics(MetricsRegistry& registry);

    void record_attempt(std::string_view provider, const ModelOutcome& outcome);
    void record_first_token(std::string_view provider, std::chrono::steady_clock::duration elapsed);

    // "success", "error", "timeout" or "cancelled".
    [[nodiscard]] static std::string_view outcome_label(const ModelOutcome& outcome);

private:
    MetricFamily<Counter>& requests_;
    MetricFamily<Histogram>& first_token_;
};

}  // namespace parley::core
