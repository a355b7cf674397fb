#pragma once

#include <string>

#include "core/providers/model_types.hpp"

namespace parley::core {

// Anthropic requires max_tokens; used when the agent sets none.
inline constexpr unsigned kAnthropicDefaultMaxTokens = 4096;

// The JSON body of a streamed Anthropic Messages request: `system` at the top
// level, assistant tool calls as tool_use blocks, tool results as tool_result
// blocks in a user turn (consecutive same-role messages merged, as the API
// requires alternation), tools with `input_schema`, `stream: true`.
[[nodiscard]] std::string anthropic_messages_request_body(const ModelRequest& request);

}  // namespace parley::core
