#pragma once

#include "core/config.hpp"
#include "core/net/http_client.hpp"
#include "core/providers/provider.hpp"

namespace parley::core {

// Any OpenAI-compatible chat completions endpoint (OpenAI, vLLM, llama.cpp's
// server, Ollama, OpenRouter): POST {base_url}/chat/completions, streamed. One
// attempt per call; retries and fallback belong to ProviderChain.
class OpenAiProvider final : public Provider {
public:
    // `http` is the process's shared client and must outlive the provider.
    OpenAiProvider(ProviderConfig config, HttpClient& http) : config_(std::move(config)), http_(http) {}

    [[nodiscard]] std::string_view name() const override { return config_.name; }
    boost::asio::awaitable<ModelOutcome> stream(const ModelRequest& request, ModelEventSink sink) override;

private:
    ProviderConfig config_;
    HttpClient& http_;
};

}  // namespace parley::core
