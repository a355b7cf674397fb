#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/json_body.hpp"
#include "storage/records.hpp"

namespace parley::server {

// A `POST /v1/chat/completions` body as parley reads it. System and developer
// messages become system text added to the agent's own prompt; user,
// assistant and tool messages become the conversation the agent loop reads
// (an assistant's tool_calls and a tool message's tool_call_id kept). Fields
// parley does not use (n, tools, response_format, ...) are ignored.
struct ChatCompletionRequest {
    std::string model;
    std::vector<storage::Message> history;
    std::string system;
    std::optional<std::string> last_user_content;  // the last user message, if any
    bool stream = false;
    bool include_usage = false;  // stream_options.include_usage
    std::optional<double> temperature;
    std::optional<unsigned> max_tokens;  // max_tokens or max_completion_tokens
};

// 400 naming the field (`messages[2].content`, `temperature`, ...) on bad input.
[[nodiscard]] ParseResult<ChatCompletionRequest> parse_chat_completion_request(std::string_view body);

}  // namespace parley::server
