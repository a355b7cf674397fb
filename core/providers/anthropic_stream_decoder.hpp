#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include <simdjson.h>

#include "core/providers/provider.hpp"
#include "core/providers/stream_decoder.hpp"

namespace parley::core {

// Decodes Anthropic Messages stream events: message_start (input usage),
// content_block_start/delta/stop (text_delta, tool_use with input_json_delta),
// message_delta (stop_reason, output usage), message_stop (the end), ping, and
// error events. Tool calls are numbered 0, 1, ... in the order their blocks start.
class AnthropicStreamDecoder final : public StreamDecoder {
public:
    explicit AnthropicStreamDecoder(ModelEventSink sink) : sink_(std::move(sink)) {}

    std::optional<ProviderError> on_event(const SseEvent& event) override;

    [[nodiscard]] bool done() const override { return done_; }
    [[nodiscard]] bool finished() const override { return done_; }
    [[nodiscard]] bool delivered() const override { return delivered_; }
    [[nodiscard]] FinishReason finish_reason() const override { return finish_reason_.value_or(FinishReason::stop); }
    [[nodiscard]] TokenUsage usage() const override { return usage_; }

private:
    struct ToolBlock {
        std::size_t tool_index = 0;
        bool got_input = false;
    };

    void emit(ModelEvent&& event);
    void read_usage(simdjson::ondemand::object usage);

    ModelEventSink sink_;
    simdjson::ondemand::parser parser_;
    std::string padded_;
    std::map<std::size_t, ToolBlock> tool_blocks_;  // content block index -> tool call
    std::size_t tool_calls_ = 0;
    std::optional<FinishReason> finish_reason_;
    TokenUsage usage_;
    bool done_ = false;
    bool delivered_ = false;
};

}  // namespace parley::core
