#include "core/providers/provider_metrics.hpp"

namespace parley::core {

ProviderMetrics::ProviderMetrics(MetricsRegistry& registry)
    : requests_(registry.counter_family("parley_upstream_requests_total",
                                        "Model provider attempts by provider and outcome.", {"provider", "outcome"})),
      first_token_(
          registry.histogram_family("parley_upstream_first_token_seconds",
                                    "Seconds from the start of a provider attempt to its first streamed event.",
                                    {"provider"}, latency_buckets_seconds())) {}

namespace {
constexpr std::array<std::string_view, 4> kOutcomeLabels{"success", "error", "timeout", "cancelled"};
}  // namespace

std::size_t ProviderMetrics::outcome_index(const ModelOutcome& outcome) {
    if (!outcome.error) {
        return 0;
    }
    switch (outcome.error->kind) {
        case ProviderErrorKind::timeout: return 2;
        case ProviderErrorKind::cancelled: return 3;
        default: return 1;
    }
}

std::string_view ProviderMetrics::outcome_label(const ModelOutcome& outcome) {
    return kOutcomeLabels[outcome_index(outcome)];
}

ProviderMetrics::Series& ProviderMetrics::series_for(std::string_view provider) {
    auto found = series_.find(provider);
    if (found == series_.end()) {
        found = series_.emplace(std::string(provider), Series{}).first;
    }
    return found->second;
}

void ProviderMetrics::record_attempt(std::string_view provider, const ModelOutcome& outcome) {
    const auto index = outcome_index(outcome);
    Counter* counter = nullptr;
    {
        const std::lock_guard lock(mutex_);
        auto& slot = series_for(provider).requests[index];
        if (slot == nullptr) {
            slot = &requests_.with({provider, kOutcomeLabels[index]});
        }
        counter = slot;
    }
    counter->increment();
}

void ProviderMetrics::record_first_token(std::string_view provider, std::chrono::steady_clock::duration elapsed) {
    Histogram* histogram = nullptr;
    {
        const std::lock_guard lock(mutex_);
        auto& slot = series_for(provider).first_token;
        if (slot == nullptr) {
            slot = &first_token_.with({provider});
        }
        histogram = slot;
    }
    histogram->observe(std::chrono::duration<double>(elapsed).count());
}

}  // namespace parley::core
