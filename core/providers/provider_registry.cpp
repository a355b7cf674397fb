#include "core/providers/provider_registry.hpp"

#include "core/providers/anthropic_provider.hpp"
#include "core/providers/mock_provider.hpp"
#include "core/providers/openai_provider.hpp"

namespace parley::core {

ProviderRegistry::ProviderRegistry(const Config& config, HttpClient& http, ProviderMetrics& metrics,
                                   std::uint64_t generation, RetryPolicy policy)
    : metrics_(metrics), policy_(policy), generation_(generation) {
    for (const auto& [name, provider_config] : config.providers) {
        ProviderConfig named = provider_config;
        if (named.name.empty()) {
            named.name = name;
        }
        providers_.emplace(name, Entry{.provider = make_provider(named, http), .max_retries = named.max_retries});
    }
}

std::shared_ptr<Provider> ProviderRegistry::make_provider(const ProviderConfig& config, HttpClient& http) {
    switch (config.kind) {
        case ProviderKind::openai: return std::make_shared<OpenAiProvider>(config, http);
        case ProviderKind::anthropic: return std::make_shared<AnthropicProvider>(config, http);
        case ProviderKind::mock: return std::make_shared<MockProvider>(config);
    }
    return std::make_shared<MockProvider>(config);
}

std::shared_ptr<Provider> ProviderRegistry::provider(std::string_view name) const {
    const auto it = providers_.find(name);
    return it == providers_.end() ? nullptr : it->second.provider;
}

std::unique_ptr<ProviderChain> ProviderRegistry::chain_for(const AgentConfig& agent) const {
    std::vector<std::string> names = agent.provider_chain;
    if (names.empty()) {
        names.push_back(agent.provider);
        names.insert(names.end(), agent.fallback.begin(), agent.fallback.end());
    }
    std::vector<ProviderChain::Link> links;
    for (const auto& name : names) {
        const auto it = providers_.find(name);
        if (it != providers_.end()) {
            links.push_back(
                ProviderChain::Link{.provider = it->second.provider, .max_retries = it->second.max_retries});
        }
    }
    if (links.empty()) {
        return nullptr;
    }
    return std::make_unique<ProviderChain>(std::move(links), &metrics_, policy_);
}

}  // namespace parley::core
