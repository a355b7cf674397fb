#include "server/chat_completion_request.hpp"

#include <limits>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace parley::server {
namespace {

namespace json = boost::json;
using simdjson::SUCCESS;

constexpr double kMaxTemperature = 2.0;

std::optional<simdjson::dom::element> member(simdjson::dom::object object, std::string_view field) {
    simdjson::dom::element value;
    if (object.at_key(field).get(value) != SUCCESS || value.is_null()) {
        return std::nullopt;
    }
    return value;
}

// The name of a message's field in an error ("messages[2].content"), built
// only when there is an error to report.
std::string message_param(std::size_t index, std::string_view field = {}) {
    return field.empty() ? fmt::format("messages[{}]", index) : fmt::format("messages[{}].{}", index, field);
}

// A message's text: a string, or an array of {"type":"text","text":...} parts joined.
ParseResult<std::string> content_text(simdjson::dom::element content, std::size_t index) {
    std::string_view text;
    if (content.get_string().get(text) == SUCCESS) {
        return std::string(text);
    }
    simdjson::dom::array parts;
    if (content.get_array().get(parts) != SUCCESS) {
        return JsonBody::invalid(message_param(index, "content"), "a string or an array of text parts");
    }
    std::string joined;
    for (const auto part : parts) {
        std::string_view type;
        std::string_view piece;
        if (part.at_key("type").get_string().get(type) != SUCCESS || type != "text" ||
            part.at_key("text").get_string().get(piece) != SUCCESS) {
            return JsonBody::invalid(message_param(index, "content"),
                                     "a string or an array of text parts (other parts are not supported)");
        }
        joined += piece;
    }
    return joined;
}

// An assistant's tool_calls as the agent loop keeps them: [{"id","name","arguments"}].
ParseResult<std::string> tool_calls_text(simdjson::dom::element value, std::size_t index) {
    simdjson::dom::array calls;
    if (value.get_array().get(calls) != SUCCESS) {
        return JsonBody::invalid(message_param(index, "tool_calls"), "an array of tool calls");
    }
    json::array items;
    for (const auto call : calls) {
        std::string_view id;
        std::string_view name;
        std::string_view arguments;
        if (call.at_key("id").get_string().get(id) != SUCCESS ||
            call.at_pointer("/function/name").get_string().get(name) != SUCCESS) {
            return JsonBody::invalid(message_param(index, "tool_calls"),
                                     "an array of {id, function: {name, arguments}}");
        }
        if (call.at_pointer("/function/arguments").get_string().get(arguments) != SUCCESS) {
            arguments = "{}";
        }
        boost::system::error_code ec;
        auto parsed = json::parse(arguments, ec);
        items.push_back(json::object{{"id", id}, {"name", name}, {"arguments", ec ? json::value(arguments) : parsed}});
    }
    return json::serialize(items);
}

ParseResult<void> parse_message(simdjson::dom::element element, std::size_t index, ChatCompletionRequest& request) {
    simdjson::dom::object object;
    if (element.get_object().get(object) != SUCCESS) {
        return JsonBody::invalid(message_param(index), "an object");
    }
    const auto role_value = member(object, "role");
    if (!role_value) {
        return JsonBody::missing(message_param(index, "role"));
    }
    std::string_view role;
    if (role_value->get_string().get(role) != SUCCESS) {
        return JsonBody::invalid(message_param(index, "role"), "a string");
    }
    const auto tool_calls = role == "assistant" ? member(object, "tool_calls") : std::nullopt;
    const auto content_value = member(object, "content");
    std::string content;
    if (content_value) {
        auto text = content_text(*content_value, index);
        if (!text) {
            return text.error();
        }
        content = std::move(*text);
    } else if (!tool_calls) {
        return JsonBody::missing(message_param(index, "content"));
    }

    if (role == "system" || role == "developer") {
        request.system += request.system.empty() ? "" : "\n\n";
        request.system += content;
        return {};
    }
    storage::Message message;
    message.status = storage::MessageStatus::complete;
    message.content = std::move(content);
    if (role == "user") {
        message.role = storage::MessageRole::user;
        request.last_user_content = message.content;
    } else if (role == "assistant") {
        message.role = storage::MessageRole::assistant;
        if (tool_calls) {
            auto calls = tool_calls_text(*tool_calls, index);
            if (!calls) {
                return calls.error();
            }
            message.tool_calls = std::move(*calls);
        }
    } else if (role == "tool") {
        message.role = storage::MessageRole::tool;
        std::string_view call_id;
        const auto call_value = member(object, "tool_call_id");
        if (!call_value) {
            return JsonBody::missing(message_param(index, "tool_call_id"));
        }
        if (call_value->get_string().get(call_id) != SUCCESS) {
            return JsonBody::invalid(message_param(index, "tool_call_id"), "a string");
        }
        message.tool_call_id = std::string(call_id);
    } else {
        return JsonBody::invalid(message_param(index, "role"), "one of system, developer, user, assistant, tool");
    }
    request.history.push_back(std::move(message));
    return {};
}

ParseResult<void> parse_messages(const JsonBody& body, ChatCompletionRequest& request) {
    const auto value = member(body.root(), "messages");
    if (!value) {
        return JsonBody::missing("messages");
    }
    simdjson::dom::array messages;
    if (value->get_array().get(messages) != SUCCESS) {
        return JsonBody::invalid("messages", "an array of messages");
    }
    if (messages.size() == 0) {
        return JsonBody::invalid("messages", "a non-empty array of messages");
    }
    std::size_t index = 0;
    for (const auto element : messages) {
        if (auto parsed = parse_message(element, index++, request); !parsed) {
            return parsed.error();
        }
    }
    return {};
}

ParseResult<std::optional<unsigned>> parse_max_tokens(const JsonBody& body) {
    for (const std::string_view field : {"max_completion_tokens", "max_tokens"}) {
        auto value = body.optional_integer(field);
        if (!value) {
            return value.error();
        }
        if (!*value) {
            continue;
        }
        if (**value < 1 || **value > std::numeric_limits<unsigned>::max()) {
            return JsonBody::invalid(field, "a positive integer");
        }
        return std::optional<unsigned>(static_cast<unsigned>(**value));
    }
    return std::optional<unsigned>{};
}

ParseResult<bool> parse_include_usage(const JsonBody& body) {
    const auto value = member(body.root(), "stream_options");
    if (!value) {
        return false;
    }
    simdjson::dom::object options;
    if (value->get_object().get(options) != SUCCESS) {
        return JsonBody::invalid("stream_options", "an object");
    }
    const auto include = member(options, "include_usage");
    if (!include) {
        return false;
    }
    bool flag = false;
    if (include->get_bool().get(flag) != SUCCESS) {
        return JsonBody::invalid("stream_options.include_usage", "a boolean");
    }
    return flag;
}

}  // namespace

ParseResult<ChatCompletionRequest> parse_chat_completion_request(std::string_view body) {
    auto parsed = JsonBody::parse(body);
    if (!parsed) {
        return parsed.error();
    }
    ChatCompletionRequest request;
    auto model = parsed->required_string("model");
    if (!model) {
        return model.error();
    }
    request.model = std::move(*model);
    if (auto messages = parse_messages(*parsed, request); !messages) {
        return messages.error();
    }
    auto stream = parsed->optional_bool("stream");
    if (!stream) {
        return stream.error();
    }
    request.stream = stream->value_or(false);
    auto include_usage = parse_include_usage(*parsed);
    if (!include_usage) {
        return include_usage.error();
    }
    request.include_usage = *include_usage;
    auto temperature = parsed->optional_number("temperature");
    if (!temperature) {
        return temperature.error();
    }
    if (*temperature && (**temperature < 0 || **temperature > kMaxTemperature)) {
        return JsonBody::invalid("temperature", "a number from 0 to 2");
    }
    request.temperature = *temperature;
    auto max_tokens = parse_max_tokens(*parsed);
    if (!max_tokens) {
        return max_tokens.error();
    }
    request.max_tokens = *max_tokens;
    return request;
}

}  // namespace parley::server
