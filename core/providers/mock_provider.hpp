#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/providers/provider.hpp"

namespace parley::core {

// The built-in deterministic model (CONFIG.md): replies `echo: <last user
// message>` a word at a time at tokens_per_second (0: as fast as possible),
// paced by an Asio timer and cancellable. A last user message `/tool NAME {json}`
// makes it call tool NAME with those arguments; when the last message is a tool
// result it replies `tool said: <output>`. No network.
class MockProvider final : public Provider {
public:
    explicit MockProvider(ProviderConfig config) : config_(std::move(config)) {}

    [[nodiscard]] std::string_view name() const override { return config_.name; }
    boost::asio::awaitable<ModelOutcome> stream(const ModelRequest& request, ModelEventSink sink) override;

    // The reply split into the pieces it is streamed in: the first word, then each
    // following word with the whitespace before it (concatenated: the reply).
    [[nodiscard]] static std::vector<std::string_view> split_words(std::string_view text);

private:
    ProviderConfig config_;
    std::atomic<std::uint64_t> calls_{0};
};

}  // namespace parley::core
