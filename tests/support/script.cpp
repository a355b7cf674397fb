#include "tests/support/script.hpp"

#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace parley::testing {
namespace {

// Thrown inside this file only, to unwind a nested parse; turned into ScriptParseResult::error.
class ScriptJsonError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

[[nodiscard]] std::string json_string(const boost::json::value& value, std::string_view key) {
    if (!value.is_string()) {
        throw ScriptJsonError(fmt::format("'{}' must be a string", key));
    }
    const auto& text = value.get_string();
    return {text.data(), text.size()};
}

[[nodiscard]] std::uint64_t json_count(const boost::json::value& value, std::string_view key) {
    if (value.is_uint64()) {
        return value.get_uint64();
    }
    if (value.is_int64() && value.get_int64() >= 0) {
        return static_cast<std::uint64_t>(value.get_int64());
    }
    throw ScriptJsonError(fmt::format("'{}' must be a non-negative integer", key));
}

[[nodiscard]] bool json_bool(const boost::json::value& value, std::string_view key) {
    if (!value.is_bool()) {
        throw ScriptJsonError(fmt::format("'{}' must be a boolean", key));
    }
    return value.get_bool();
}

[[nodiscard]] const boost::json::object& json_object(const boost::json::value& value, std::string_view key) {
    if (!value.is_object()) {
        throw ScriptJsonError(fmt::format("'{}' must be an object", key));
    }
    return value.get_object();
}

[[nodiscard]] const boost::json::array& json_array(const boost::json::value& value, std::string_view key) {
    if (!value.is_array()) {
        throw ScriptJsonError(fmt::format("'{}' must be an array", key));
    }
    return value.get_array();
}

[[nodiscard]] std::vector<std::string> json_strings(const boost::json::value& value, std::string_view key) {
    std::vector<std::string> strings;
    for (const auto& item : json_array(value, key)) {
        strings.push_back(json_string(item, key));
    }
    return strings;
}

[[nodiscard]] std::chrono::milliseconds json_millis(const boost::json::value& value, std::string_view key) {
    const auto count = json_count(value, key);
    if (count > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
        throw ScriptJsonError(fmt::format("'{}' is too large", key));
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(count));
}

[[nodiscard]] boost::json::array strings_to_json(const std::vector<std::string>& strings) {
    boost::json::array array;
    for (const auto& item : strings) {
        array.emplace_back(item);
    }
    return array;
}

[[nodiscard]] ToolCallScript tool_call_from_json(const boost::json::value& json) {
    ToolCallScript call;
    for (const auto& [key, value] : json_object(json, "tool_calls[]")) {
        if (key == "id") {
            call.id = json_string(value, "tool_calls[].id");
        } else if (key == "name") {
            call.name = json_string(value, "tool_calls[].name");
        } else if (key == "arguments") {
            // Either the JSON text or the arguments object itself.
            call.arguments =
                value.is_string() ? json_string(value, "tool_calls[].arguments") : boost::json::serialize(value);
        } else if (key == "fragments") {
            call.fragments = json_count(value, "tool_calls[].fragments");
        } else if (key == "explicit_fragments") {
            call.explicit_fragments = json_strings(value, "tool_calls[].explicit_fragments");
        } else {
            throw ScriptJsonError(fmt::format("unknown key 'tool_calls[].{}'", std::string_view(key)));
        }
    }
    if (call.name.empty()) {
        throw ScriptJsonError("'tool_calls[].name' is required");
    }
    return call;
}

[[nodiscard]] Route route_from_json(const boost::json::value& value) {
    const auto name = json_string(value, "route");
    if (name == "openai") {
        return Route::openai;
    }
    if (name == "anthropic") {
        return Route::anthropic;
    }
    throw ScriptJsonError("'route' must be \"openai\", \"anthropic\" or \"any\"");
}

[[nodiscard]] Script script_from_json(const boost::json::value& json) {
    Script script;
    for (const auto& [key, value] : json_object(json, "script")) {
        if (key == "route") {
            if (!value.is_string() || value.get_string() != "any") {
                script.route = route_from_json(value);
            }
        } else if (key == "text") {
            if (!value.is_null()) {
                script.text = json_string(value, "text");
            }
        } else if (key == "chunks") {
            script.chunks = json_count(value, "chunks");
        } else if (key == "explicit_chunks") {
            script.explicit_chunks = json_strings(value, "explicit_chunks");
        } else if (key == "tool_calls") {
            for (const auto& item : json_array(value, "tool_calls")) {
                script.tool_calls.push_back(tool_call_from_json(item));
            }
        } else if (key == "delay_per_chunk_ms") {
            script.delay_per_chunk = json_millis(value, "delay_per_chunk_ms");
        } else if (key == "first_byte_delay_ms") {
            script.first_byte_delay = json_millis(value, "first_byte_delay_ms");
        } else if (key == "usage") {
            const auto& usage = json_object(value, "usage");
            Usage parsed;
            for (const auto& [usage_key, usage_value] : usage) {
                if (usage_key == "prompt_tokens") {
                    parsed.prompt_tokens = json_count(usage_value, "usage.prompt_tokens");
                } else if (usage_key == "completion_tokens") {
                    parsed.completion_tokens = json_count(usage_value, "usage.completion_tokens");
                } else {
                    throw ScriptJsonError(fmt::format("unknown key 'usage.{}'", std::string_view(usage_key)));
                }
            }
            script.usage = parsed;
        } else if (key == "finish_reason") {
            script.finish_reason = json_string(value, "finish_reason");
        } else if (key == "status") {
            const auto status = json_count(value, "status");
            constexpr std::uint64_t kMinStatus = 100;
            constexpr std::uint64_t kMaxStatus = 999;
            if (status < kMinStatus || status > kMaxStatus) {
                throw ScriptJsonError("'status' must be an HTTP status between 100 and 999");
            }
            script.status = static_cast<unsigned>(status);
        } else if (key == "error_body") {
            // Either the body text or a JSON value sent as the body.
            script.error_body = value.is_string() ? json_string(value, "error_body") : boost::json::serialize(value);
        } else if (key == "retry_after") {
            script.retry_after = value.is_number() ? boost::json::serialize(value) : json_string(value, "retry_after");
        } else if (key == "drop_after_chunks") {
            script.drop_after_chunks = json_count(value, "drop_after_chunks");
        } else if (key == "hang_after_chunks") {
            script.hang_after_chunks = json_count(value, "hang_after_chunks");
        } else if (key == "stamp_pieces") {
            script.stamp_pieces = json_bool(value, "stamp_pieces");
        } else if (key == "hang_before_headers") {
            script.hang_before_headers = json_bool(value, "hang_before_headers");
        } else {
            throw ScriptJsonError(fmt::format("unknown key '{}'", std::string_view(key)));
        }
    }
    return script;
}

}  // namespace

std::string_view route_name(Route route) {
    switch (route) {
        case Route::openai: return "openai";
        case Route::anthropic: return "anthropic";
    }
    return "unknown";
}

boost::json::object script_to_json(const Script& script) {
    boost::json::object json;
    json["route"] = script.route ? route_name(*script.route) : std::string_view("any");
    if (script.text) {
        json["text"] = *script.text;
    }
    json["chunks"] = script.chunks;
    if (!script.explicit_chunks.empty()) {
        json["explicit_chunks"] = strings_to_json(script.explicit_chunks);
    }
    if (!script.tool_calls.empty()) {
        boost::json::array calls;
        for (const auto& call : script.tool_calls) {
            boost::json::object item;
            if (!call.id.empty()) {
                item["id"] = call.id;
            }
            item["name"] = call.name;
            item["arguments"] = call.arguments;
            item["fragments"] = call.fragments;
            if (!call.explicit_fragments.empty()) {
                item["explicit_fragments"] = strings_to_json(call.explicit_fragments);
            }
            calls.emplace_back(std::move(item));
        }
        json["tool_calls"] = std::move(calls);
    }
    json["delay_per_chunk_ms"] = script.delay_per_chunk.count();
    json["first_byte_delay_ms"] = script.first_byte_delay.count();
    if (script.usage) {
        json["usage"] = {{"prompt_tokens", script.usage->prompt_tokens},
                         {"completion_tokens", script.usage->completion_tokens}};
    }
    if (!script.finish_reason.empty()) {
        json["finish_reason"] = script.finish_reason;
    }
    json["status"] = script.status;
    if (!script.error_body.empty()) {
        json["error_body"] = script.error_body;
    }
    if (!script.retry_after.empty()) {
        json["retry_after"] = script.retry_after;
    }
    if (script.drop_after_chunks) {
        json["drop_after_chunks"] = *script.drop_after_chunks;
    }
    if (script.hang_after_chunks) {
        json["hang_after_chunks"] = *script.hang_after_chunks;
    }
    json["hang_before_headers"] = script.hang_before_headers;
    json["stamp_pieces"] = script.stamp_pieces;
    return json;
}

ScriptParseResult scripts_from_json(const boost::json::value& json) {
    ScriptParseResult result;
    try {
        if (json.is_array()) {
            for (const auto& item : json.get_array()) {
                result.scripts.push_back(script_from_json(item));
            }
        } else {
            result.scripts.push_back(script_from_json(json));
        }
    } catch (const ScriptJsonError& error) {
        result.scripts.clear();
        result.error = error.what();
    }
    return result;
}

}  // namespace parley::testing
