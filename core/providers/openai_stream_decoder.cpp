#include "core/providers/openai_stream_decoder.hpp"

#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace parley::core {

namespace ondemand = simdjson::ondemand;

namespace {

constexpr std::string_view kDoneMarker = "[DONE]";

bool is_null(ondemand::value& value) {
    const ondemand::json_type type = value.type();
    return type == ondemand::json_type::null;
}

bool is_type(ondemand::value& value, ondemand::json_type expected) {
    const ondemand::json_type type = value.type();
    return type == expected;
}

std::string_view string_of(ondemand::value& value) {
    const std::string_view text = value.get_string();
    return text;
}

}  // namespace

void OpenAiStreamDecoder::emit(ModelEvent&& event) {
    delivered_ = true;
    sink_(std::move(event));
}

std::optional<ProviderError> OpenAiStreamDecoder::on_event(const SseEvent& event) {
    if (event.data == kDoneMarker) {
        done_ = true;
        return std::nullopt;
    }
    if (done_) {
        return std::nullopt;
    }
    return decode(event.data);
}

std::optional<ProviderError> OpenAiStreamDecoder::on_completion(std::string_view body) {
    auto error = decode(body);
    done_ = true;
    return error;
}

std::optional<ProviderError> OpenAiStreamDecoder::decode(std::string_view data) {
    try {
        ondemand::document document = json_->iterate(data);
        for (auto field : document.get_object()) {
            const std::string_view key = field.unescaped_key();
            ondemand::value value = field.value();
            if (key == "choices") {
                if (is_null(value)) {
                    continue;
                }
                for (auto choice : value.get_array()) {
                    decode_choice(choice.get_object());
                }
            } else if (key == "usage") {
                if (!is_null(value)) {
                    decode_usage(value.get_object());
                }
            } else if (key == "error") {
                std::string message = "upstream error";
                if (is_type(value, ondemand::json_type::object)) {
                    for (auto error_field : value.get_object()) {
                        if (const std::string_view error_key = error_field.unescaped_key(); error_key == "message") {
                            ondemand::value text = error_field.value();
                            if (is_type(text, ondemand::json_type::string)) {
                                message = std::string(string_of(text));
                            }
                        }
                    }
                }
                return ProviderError{.kind = ProviderErrorKind::server, .message = "upstream error: " + message};
            }
        }
    } catch (const simdjson::simdjson_error& failure) {
        if (failure.error() == simdjson::UTF8_ERROR) {
            // simdjson only takes valid UTF-8; a server that cuts a character between
            // two chunks (as some local servers do) is decoded byte for byte by Boost.JSON.
            return decode_lenient(data);
        }
        return ProviderError{.kind = ProviderErrorKind::protocol,
                             .message = std::string("bad JSON in the stream: ") + failure.what()};
    }
    return std::nullopt;
}

std::optional<ProviderError> OpenAiStreamDecoder::decode_lenient(std::string_view data) {
    namespace json = boost::json;
    json::parse_options options;
    options.allow_invalid_utf8 = true;
    boost::system::error_code ec;
    const json::value document = json::parse(data, ec, {}, options);
    if (ec || !document.is_object()) {
        return ProviderError{.kind = ProviderErrorKind::protocol, .message = "bad JSON in the stream"};
    }
    const auto& object = document.as_object();
    if (const auto* error = object.if_contains("error"); error != nullptr && !error->is_null()) {
        return ProviderError{.kind = ProviderErrorKind::server, .message = "upstream error"};
    }
    auto text_of = [](const json::value* value) {
        return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
    };
    std::optional<std::string> reason;
    if (const auto* choices = object.if_contains("choices"); choices != nullptr && choices->is_array()) {
        for (const auto& choice : choices->as_array()) {
            if (!choice.is_object()) {
                continue;
            }
            const auto* index = choice.as_object().if_contains("index");
            if (index != nullptr && index->is_number() && index->to_number<std::uint64_t>() != 0) {
                continue;
            }
            const auto* delta = choice.as_object().if_contains("delta");
            if (delta == nullptr) {
                delta = choice.as_object().if_contains("message");  // a whole answer
            }
            if (delta != nullptr && delta->is_object()) {
                if (auto text = text_of(delta->as_object().if_contains("content")); !text.empty()) {
                    emit(TextDelta{std::move(text)});
                }
                const auto* calls = delta->as_object().if_contains("tool_calls");
                std::size_t position = 0;
                for (const auto& call : calls != nullptr && calls->is_array() ? calls->as_array() : json::array{}) {
                    const std::size_t call_position = position++;
                    if (!call.is_object()) {
                        continue;
                    }
                    const auto& fields = call.as_object();
                    const auto* call_index = fields.if_contains("index");
                    const auto* function = fields.if_contains("function");
                    const bool has_function = function != nullptr && function->is_object();
                    on_tool_call(
                        call_index != nullptr && call_index->is_number() ? call_index->to_number<std::size_t>()
                                                                         : call_position,
                        text_of(fields.if_contains("id")),
                        has_function ? text_of(function->as_object().if_contains("name")) : std::string(),
                        has_function ? text_of(function->as_object().if_contains("arguments")) : std::string());
                }
            }
            if (const auto* finish_reason = choice.as_object().if_contains("finish_reason");
                finish_reason != nullptr && finish_reason->is_string()) {
                reason = std::string(finish_reason->as_string());
            }
        }
    }
    if (reason) {
        finish(*reason);
    }
    if (const auto* usage = object.if_contains("usage"); usage != nullptr && usage->is_object()) {
        const auto* prompt = usage->as_object().if_contains("prompt_tokens");
        const auto* completion = usage->as_object().if_contains("completion_tokens");
        if (prompt != nullptr && prompt->is_number()) {
            usage_.input_tokens = prompt->to_number<std::uint64_t>();
        }
        if (completion != nullptr && completion->is_number()) {
            usage_.output_tokens = completion->to_number<std::uint64_t>();
        }
        emit(UsageReported{usage_});
    }
    return std::nullopt;
}

void OpenAiStreamDecoder::decode_choice(ondemand::object choice) {
    // Only the first choice is asked for (n is never set); others are ignored.
    std::optional<std::string_view> reason;
    bool first_choice = true;
    for (auto field : choice) {
        const std::string_view key = field.unescaped_key();
        ondemand::value value = field.value();
        if (key == "index") {
            const std::uint64_t choice_index = value.get_uint64();
            first_choice = choice_index == 0;
        } else if ((key == "delta" || key == "message") && first_choice && !is_null(value)) {
            decode_delta(value.get_object());
        } else if (key == "finish_reason" && first_choice && !is_null(value)) {
            reason = string_of(value);
        }
    }
    if (reason) {
        finish(*reason);
    }
}

void OpenAiStreamDecoder::decode_delta(ondemand::object delta) {
    for (auto field : delta) {
        const std::string_view key = field.unescaped_key();
        ondemand::value value = field.value();
        if (key == "content") {
            if (is_null(value)) {
                continue;
            }
            const std::string_view text = string_of(value);
            if (!text.empty()) {
                emit(TextDelta{std::string(text)});
            }
        } else if (key == "tool_calls") {
            if (is_null(value)) {
                continue;
            }
            std::size_t position = 0;
            for (auto call : value.get_array()) {
                decode_tool_call(call.get_object(), position++);
            }
        }
    }
}

// A streamed call names its index; a whole answer's calls are indexed by their position.
void OpenAiStreamDecoder::decode_tool_call(ondemand::object call, std::size_t position) {
    std::size_t index = position;
    std::string id;
    std::string name;
    std::string arguments;
    for (auto field : call) {
        const std::string_view key = field.unescaped_key();
        ondemand::value value = field.value();
        if (key == "index") {
            index = static_cast<std::size_t>(std::uint64_t(value.get_uint64()));
        } else if (key == "id" && !is_null(value)) {
            id = string_of(value);
        } else if (key == "function" && !is_null(value)) {
            for (auto function_field : value.get_object()) {
                const std::string_view function_key = function_field.unescaped_key();
                ondemand::value function_value = function_field.value();
                if (is_null(function_value)) {
                    continue;
                }
                if (function_key == "name") {
                    name = string_of(function_value);
                } else if (function_key == "arguments") {
                    arguments = string_of(function_value);
                }
            }
        }
    }
    on_tool_call(index, std::move(id), std::move(name), std::move(arguments));
}

void OpenAiStreamDecoder::on_tool_call(std::size_t index, std::string id, std::string name, std::string arguments) {
    if (tool_calls_.find(index) == tool_calls_.end()) {
        tool_calls_.emplace(index, true);
        if (id.empty()) {
            id = "call_" + std::to_string(index);  // some compatible servers omit ids
        }
        emit(ToolCallStarted{.index = index, .id = std::move(id), .name = std::move(name)});
    }
    if (!arguments.empty()) {
        emit(ToolCallArgumentsDelta{.index = index, .fragment = std::move(arguments)});
    }
}

void OpenAiStreamDecoder::decode_usage(ondemand::object usage) {
    for (auto field : usage) {
        const std::string_view key = field.unescaped_key();
        ondemand::value value = field.value();
        if (key == "prompt_tokens") {
            usage_.input_tokens = value.get_uint64();
        } else if (key == "completion_tokens") {
            usage_.output_tokens = value.get_uint64();
        }
    }
    emit(UsageReported{usage_});
}

void OpenAiStreamDecoder::finish(std::string_view reason) {
    if (reason == "length") {
        finish_reason_ = FinishReason::max_tokens;
    } else if (reason == "tool_calls" || reason == "function_call") {
        finish_reason_ = FinishReason::tool_calls;
    } else {
        finish_reason_ = FinishReason::stop;  // "stop", "content_filter" and anything new
    }
    for (auto& [index, open] : tool_calls_) {
        if (open) {
            open = false;
            emit(ToolCallFinished{.index = index});
        }
    }
}

}  // namespace parley::core
