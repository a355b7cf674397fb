#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/net/http_client.hpp"
#include "core/providers/provider.hpp"
#include "core/providers/provider_chain.hpp"
#include "core/providers/provider_metrics.hpp"
#include "core/providers/retry_policy.hpp"

namespace parley::core {

// The providers of one configuration generation, built once from Config (at
// start-up, and anew on each SIGHUP reload with the next generation number).
// Every provider shares the one HttpClient; chains made from an old registry
// keep their providers alive until their calls end. Immutable after
// construction, so safe to share between threads.
class ProviderRegistry {
public:
    // `http` and `metrics` must outlive the registry and every chain it makes.
    ProviderRegistry(const Config& config, HttpClient& http, ProviderMetrics& metrics, std::uint64_t generation = 1,
                     RetryPolicy policy = {});

    // The provider configured under `name`, or null.
    [[nodiscard]] std::shared_ptr<Provider> provider(std::string_view name) const;

    // The agent's chain: AgentConfig::provider_chain (provider + available fallbacks),
    // or provider + fallback when that is empty. Unknown names are skipped; null when none is left.
    [[nodiscard]] std::unique_ptr<ProviderChain> chain_for(const AgentConfig& agent) const;

    [[nodiscard]] std::uint64_t generation() const { return generation_; }

    // One provider of the configured kind.
    [[nodiscard]] static std::shared_ptr<Provider> make_provider(const ProviderConfig& config, HttpClient& http);

private:
    struct Entry {
        std::shared_ptr<Provider> provider;
        unsigned max_retries = 0;
    };

    std::map<std::string, Entry, std::less<>> providers_;
    ProviderMetrics& metrics_;
    RetryPolicy policy_;
    std::uint64_t generation_;
};

}  // namespace parley::core
