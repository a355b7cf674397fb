#pragma once

#include <cstddef>
#include <vector>

#include "core/providers/model_types.hpp"
#include "storage/records.hpp"

namespace parley::core {

// Turns a session's stored history into the messages of a model request,
// within a token budget: whole turns (a user message and everything after it
// up to the next) are dropped oldest first, so a tool call is never separated
// from its result; the latest turn is always kept. Tool calls left without a
// result (a turn cut short) are stripped, and failed empty replies skipped.
class ContextWindow {
public:
    explicit ContextWindow(std::size_t budget_tokens) : budget_tokens_(budget_tokens) {}

    [[nodiscard]] std::vector<ChatMessage> build(const std::vector<storage::Message>& history) const;

    // A rough, provider-neutral estimate: about four bytes a token plus a per-message overhead.
    [[nodiscard]] static std::size_t estimate_tokens(const ChatMessage& message);

private:
    std::size_t budget_tokens_;
};

}  // namespace parley::core
