#pragma once

#include <optional>

#include "core/providers/model_types.hpp"
#include "core/providers/sse_parser.hpp"

namespace parley::core {

// Turns one provider's SSE events into provider-neutral ModelEvents (sent to a
// sink as they are decoded) and tracks how the answer ended.
class StreamDecoder {
public:
    virtual ~StreamDecoder() = default;

    // Decodes one event. An error ends the stream (an upstream error event, bad JSON).
    virtual std::optional<ProviderError> on_event(const SseEvent& event) = 0;

    // The upstream said the answer is complete ([DONE], message_stop). Nothing after it matters.
    [[nodiscard]] virtual bool done() const = 0;
    // A finish reason arrived: the answer is whole even if the end marker never came.
    [[nodiscard]] virtual bool finished() const = 0;
    // At least one event reached the sink: a failure now must not be retried.
    [[nodiscard]] virtual bool delivered() const = 0;

    [[nodiscard]] virtual FinishReason finish_reason() const = 0;
    [[nodiscard]] virtual TokenUsage usage() const = 0;
};

// The outcome of an answer the decoder saw to its end: its finish reason and usage.
[[nodiscard]] inline ModelOutcome decoded_outcome(const StreamDecoder& decoder) {
    ModelOutcome outcome;
    outcome.finish_reason = decoder.finish_reason();
    outcome.usage = decoder.usage();
    return outcome;
}

}  // namespace parley::core
