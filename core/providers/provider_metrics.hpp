#pragma once

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
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
    // One provider's series, looked up in the families once (a family's with()
    // builds and escapes its label set: two per model call in the gateway's profile).
    static constexpr std::size_t kOutcomes = 4;
    struct Series {
        std::array<Counter*, kOutcomes> requests{};  // by outcome, created when first seen
        Histogram* first_token = nullptr;
    };
    [[nodiscard]] static std::size_t outcome_index(const ModelOutcome& outcome);
    Series& series_for(std::string_view provider);  // with mutex_ held

    MetricFamily<Counter>& requests_;
    MetricFamily<Histogram>& first_token_;
    std::mutex mutex_;
    std::map<std::string, Series, std::less<>> series_;  // providers are few: named in the configuration
};

}  // namespace parley::core
