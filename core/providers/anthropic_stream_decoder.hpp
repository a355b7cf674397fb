#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include <simdjson.h>

#include "core/providers/event_json_parser.hpp"

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

    // The parts of one stream event parley uses, gathered in one pass (On Demand
    // reads forward only, and the API does not promise the field order).
    struct EventFields {
        std::string type;
        std::size_t index = 0;
        std::string block_type;  // content_block.type
        std::string block_id;
        std::string block_name;
        std::string delta_type;  // delta.type
        std::string delta_text;  // delta.text or delta.partial_json
        std::string stop_reason;
        std::string error_type;
        std::string error_message;
    };

    void emit(ModelEvent&& event);
    bool lenient_fields(std::string_view data, EventFields& fields);
    void read_usage(simdjson::ondemand::object usage);

    ModelEventSink sink_;
    EventJsonParsers::Handle json_ = EventJsonParsers::take();
    std::map<std::size_t, ToolBlock> tool_blocks_;  // content block index -> tool call
    std::size_t tool_calls_ = 0;
    std::optional<FinishReason> finish_reason_;
    TokenUsage usage_;
    bool done_ = false;
    bool delivered_ = false;
};

}  // namespace parley::core
