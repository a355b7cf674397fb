#pragma once

#include <memory>
#include <vector>

#include "core/providers/provider.hpp"
#include "core/providers/provider_metrics.hpp"
#include "core/providers/retry_policy.hpp"

namespace parley::core {

// An agent's providers in order (its provider, then its fallbacks), behaving as
// one Provider. Each provider is retried up to its max_retries on connect
// errors, 429 and 5xx with exponential backoff and jitter (honouring
// Retry-After), then the next provider is tried. Nothing is retried once an
// event was delivered: that failure is the call's outcome. Cancellation stops
// at once (also during a backoff). Every attempt is counted in the metrics.
class ProviderChain final : public Provider {
public:
    struct Link {
        std::shared_ptr<Provider> provider;  // shared with the registry: a reload keeps it alive while in use
        unsigned max_retries = 0;
    };

    // `metrics` may be null (no counting); it must outlive the chain.
    ProviderChain(std::vector<Link> links, ProviderMetrics* metrics, RetryPolicy policy = {});

    // The first provider's name.
    [[nodiscard]] std::string_view name() const override;
    boost::asio::awaitable<ModelOutcome> stream(const ModelRequest& request, ModelEventSink sink) override;

    [[nodiscard]] const std::vector<Link>& links() const { return links_; }

private:
    std::vector<Link> links_;
    ProviderMetrics* metrics_;
    RetryPolicy policy_;
};

}  // namespace parley::core
