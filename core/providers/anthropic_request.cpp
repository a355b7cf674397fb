#include "core/providers/anthropic_request.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace parley::core {

namespace json = boost::json;

namespace {

json::object tool_input(const std::string& arguments_json) {
    boost::system::error_code ec;
    auto parsed = json::parse(arguments_json, ec);
    if (ec || !parsed.is_object()) {
        return {};
    }
    return std::move(parsed.as_object());
}

// The content blocks one message contributes to its (possibly merged) turn.
json::array content_blocks(const ChatMessage& message) {
    json::array blocks;
    switch (message.role) {
        case ChatRole::user: blocks.push_back(json::object{{"type", "text"}, {"text", message.content}}); break;
        case ChatRole::assistant:
            if (!message.content.empty()) {
                blocks.push_back(json::object{{"type", "text"}, {"text", message.content}});
            }
            for (const auto& call : message.tool_calls) {
                blocks.push_back(json::object{{"type", "tool_use"},
                                              {"id", call.id},
                                              {"name", call.name},
                                              {"input", tool_input(call.arguments_json)}});
            }
            break;
        case ChatRole::tool: {
            json::object result{
                {"type", "tool_result"}, {"tool_use_id", message.tool_call_id}, {"content", message.content}};
            if (message.is_error) {
                result["is_error"] = true;
            }
            blocks.push_back(std::move(result));
            break;
        }
    }
    return blocks;
}

}  // namespace

std::string anthropic_messages_request_body(const ModelRequest& request) {
    json::object body;
    body["model"] = request.model;
    body["max_tokens"] = request.max_tokens.value_or(kAnthropicDefaultMaxTokens);
    if (!request.system_prompt.empty()) {
        body["system"] = request.system_prompt;
    }
    json::array messages;
    std::string_view last_role;
    for (const auto& message : request.messages) {
        const std::string_view role = message.role == ChatRole::assistant ? "assistant" : "user";
        auto blocks = content_blocks(message);
        if (blocks.empty()) {
            continue;
        }
        if (role == last_role) {
            auto& content = messages.back().as_object()["content"].as_array();
            for (auto& block : blocks) {
                content.push_back(std::move(block));
            }
            continue;
        }
        messages.push_back(json::object{{"role", role}, {"content", std::move(blocks)}});
        last_role = role;
    }
    body["messages"] = std::move(messages);
    if (!request.tools.empty()) {
        json::array tools;
        for (const auto& tool : request.tools) {
            tools.push_back(
                json::object{{"name", tool.name},
                             {"description", tool.description},
                             {"input_schema", tool.parameters.empty()
                                                  ? json::object{{"type", "object"}, {"properties", json::object{}}}
                                                  : tool.parameters}});
        }
        body["tools"] = std::move(tools);
    }
    if (request.temperature) {
        body["temperature"] = *request.temperature;
    }
    body["stream"] = true;
    return json::serialize(body);
}

}  // namespace parley::core
