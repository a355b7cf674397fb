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

// Decodes OpenAI chat.completion.chunk events ([DONE] ends the stream): content
// deltas, tool-call deltas assembled by index (started when an index first
// appears, finished when the finish reason arrives), the finish reason, usage,
// and in-stream error objects. Unknown fields (reasoning, logprobs, ...) are
// skipped. One pooled simdjson On Demand parser (EventJsonParser) serves the whole stream.
// A whole (non-streamed) chat.completion decodes into the same events: its
// message is read as one delta.
class OpenAiStreamDecoder final : public StreamDecoder {
public:
    explicit OpenAiStreamDecoder(ModelEventSink sink) : sink_(std::move(sink)) {}

    std::optional<ProviderError> on_event(const SseEvent& event) override;
    // The body of a non-streamed answer (a chat.completion object); done() after it.
    std::optional<ProviderError> on_completion(std::string_view body);

    [[nodiscard]] bool done() const override { return done_; }
    [[nodiscard]] bool finished() const override { return finish_reason_.has_value(); }
    [[nodiscard]] bool delivered() const override { return delivered_; }
    [[nodiscard]] FinishReason finish_reason() const override { return finish_reason_.value_or(FinishReason::stop); }
    [[nodiscard]] TokenUsage usage() const override { return usage_; }

private:
    void emit(ModelEvent&& event);
    void decode_choice(simdjson::ondemand::object choice);
    void decode_delta(simdjson::ondemand::object delta);
    void decode_tool_call(simdjson::ondemand::object call, std::size_t position);
    void decode_usage(simdjson::ondemand::object usage);
    void on_tool_call(std::size_t index, std::string id, std::string name, std::string arguments);
    void finish(std::string_view reason);
    std::optional<ProviderError> decode(std::string_view data);
    std::optional<ProviderError> decode_lenient(std::string_view data);

    ModelEventSink sink_;
    EventJsonParsers::Handle json_ = EventJsonParsers::take();
    std::map<std::size_t, bool> tool_calls_;  // index -> still open
    std::optional<FinishReason> finish_reason_;
    TokenUsage usage_;
    bool done_ = false;
    bool delivered_ = false;
};

}  // namespace parley::core
