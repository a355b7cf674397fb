#pragma once

#include "core/config.hpp"
#include "core/net/http_client.hpp"
#include "core/providers/provider.hpp"

namespace parley::core {

// Anthropic's Messages API: POST {base_url}/messages, streamed, with x-api-key
// and anthropic-version headers. One attempt per call (see ProviderChain).
class AnthropicProvider final : public Provider {
public:
    AnthropicProvider(ProviderConfig config, HttpClient& http) : config_(std::move(config)), http_(http) {}

    [[nodiscard]] std::string_view name() const override { return config_.name; }
    boost::asio::awaitable<ModelOutcome> stream(const ModelRequest& request, ModelEventSink sink) override;

private:
    ProviderConfig config_;
    HttpClient& http_;
};

}  // namespace parley::core
