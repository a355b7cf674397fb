#pragma once

#include <string>

#include "core/providers/model_types.hpp"

namespace parley::core {

// The JSON body of a streamed OpenAI chat completion request: system prompt
// first, tool calls and tool results in OpenAI's shapes, tools as function tools,
// `stream: true` with `stream_options.include_usage`.
[[nodiscard]] std::string openai_chat_request_body(const ModelRequest& request);

}  // namespace parley::core
