#include "core/providers/provider_metrics.hpp"

namespace parley::core {

ProviderMetrics::ProviderMetrics(MetricsRegistry& registry)
    : requests_(registry.counter_family("parley_upstream_requests_total",
                                        "Model provider attempts by provider and outcome.", {"provider", "outcome"})),
      first_token_(
          registry.histogram_family("parley_upstream_first_token_seconds",
                                    "Seconds from the start of a provider attempt to its first streamed event.",
                                    {"provider"}, latency_buckets_seconds())) {}

std::string_view ProviderMetrics::outcome_label(const ModelOutcome& outcome) {
    if (!outcome.error) {
        return "success";
    }
    switch (outcome.error->kind) {
        case ProviderErrorKind::timeout: return "timeout";
        case ProviderErrorKind::cancelled: return "cancelled";
        default: return "error";
    }
}

void ProviderMetrics::record_attempt(std::string_view provider, const ModelOutcome& outcome) {
    requests_.with({provider, outcome_label(outcome)}).increment();
}

void ProviderMetrics::record_first_token(std::string_view provider, std::chrono::steady_clock::duration elapsed) {
    first_token_.with({provider}).observe(std::chrono::duration<double>(elapsed).count());
}

}  // namespace parley::core
