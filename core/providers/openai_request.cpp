#include "core/providers/openai_request.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace parley::core {

namespace json = boost::json;

namespace {

json::object message_json(const ChatMessage& message) {
    json::object out;
    switch (message.role) {
        case ChatRole::user:
            out["role"] = "user";
            out["content"] = message.content;
            break;
        case ChatRole::assistant: {
            out["role"] = "assistant";
            if (message.content.empty() && !message.tool_calls.empty()) {
                out["content"] = nullptr;
            } else {
                out["content"] = message.content;
            }
            if (!message.tool_calls.empty()) {
                json::array calls;
                for (const auto& call : message.tool_calls) {
                    calls.push_back(json::object{
                        {"id", call.id},
                        {"type", "function"},
                        {"function",
                         json::object{{"name", call.name},
                                      {"arguments", call.arguments_json.empty() ? "{}" : call.arguments_json}}}});
                }
                out["tool_calls"] = std::move(calls);
            }
            break;
        }
        case ChatRole::tool:
            out["role"] = "tool";
            out["tool_call_id"] = message.tool_call_id;
            out["content"] = message.content;
            break;
    }
    return out;
}

}  // namespace

std::string openai_chat_request_body(const ModelRequest& request) {
    json::object body;
    body["model"] = request.model;
    json::array messages;
    if (!request.system_prompt.empty()) {
        messages.push_back(json::object{{"role", "system"}, {"content", request.system_prompt}});
    }
    for (const auto& message : request.messages) {
        messages.push_back(message_json(message));
    }
    body["messages"] = std::move(messages);
    if (!request.tools.empty()) {
        json::array tools;
        for (const auto& tool : request.tools) {
            json::object function{{"name", tool.name}, {"description", tool.description}};
            function["parameters"] = tool.parameters.empty()
                                         ? json::object{{"type", "object"}, {"properties", json::object{}}}
                                         : tool.parameters;
            tools.push_back(json::object{{"type", "function"}, {"function", std::move(function)}});
        }
        body["tools"] = std::move(tools);
    }
    if (request.temperature) {
        body["temperature"] = *request.temperature;
    }
    if (request.max_tokens) {
        body["max_tokens"] = *request.max_tokens;
    }
    if (request.stream) {
        body["stream"] = true;
        body["stream_options"] = json::object{{"include_usage", true}};
    }
    return json::serialize(body);
}

}  // namespace parley::core
