#include "core/providers/anthropic_stream_decoder.hpp"

#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace parley::core {

namespace ondemand = simdjson::ondemand;

namespace {

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

std::string string_or_empty(ondemand::value value) {
    if (!is_type(value, ondemand::json_type::string)) {
        return {};
    }
    return std::string(string_of(value));
}

FinishReason map_stop_reason(std::string_view reason) {
    if (reason == "max_tokens") {
        return FinishReason::max_tokens;
    }
    if (reason == "tool_use") {
        return FinishReason::tool_calls;
    }
    return FinishReason::stop;  // end_turn, stop_sequence, and anything new
}

}  // namespace

bool AnthropicStreamDecoder::lenient_fields(std::string_view data, EventFields& fields) {
    namespace json = boost::json;
    json::parse_options options;
    options.allow_invalid_utf8 = true;
    boost::system::error_code ec;
    const json::value document = json::parse(data, ec, {}, options);
    if (ec || !document.is_object()) {
        return false;
    }
    auto text = [](const json::object& object, std::string_view key) {
        const auto* value = object.if_contains(key);
        return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
    };
    auto read = [this](const json::value* usage) {
        if (usage == nullptr || !usage->is_object()) {
            return;
        }
        if (const auto* input = usage->as_object().if_contains("input_tokens");
            input != nullptr && input->is_number()) {
            usage_.input_tokens = input->to_number<std::uint64_t>();
        }
        if (const auto* output = usage->as_object().if_contains("output_tokens");
            output != nullptr && output->is_number()) {
            usage_.output_tokens = output->to_number<std::uint64_t>();
        }
    };
    const auto& object = document.as_object();
    fields.type = text(object, "type");
    if (const auto* index = object.if_contains("index"); index != nullptr && index->is_number()) {
        fields.index = index->to_number<std::size_t>();
    }
    if (const auto* message = object.if_contains("message"); message != nullptr && message->is_object()) {
        read(message->as_object().if_contains("usage"));
    }
    read(object.if_contains("usage"));
    if (const auto* block = object.if_contains("content_block"); block != nullptr && block->is_object()) {
        fields.block_type = text(block->as_object(), "type");
        fields.block_id = text(block->as_object(), "id");
        fields.block_name = text(block->as_object(), "name");
    }
    if (const auto* delta = object.if_contains("delta"); delta != nullptr && delta->is_object()) {
        fields.delta_type = text(delta->as_object(), "type");
        fields.delta_text = delta->as_object().contains("text") ? text(delta->as_object(), "text")
                                                                : text(delta->as_object(), "partial_json");
        fields.stop_reason = text(delta->as_object(), "stop_reason");
    }
    if (const auto* error = object.if_contains("error"); error != nullptr && error->is_object()) {
        fields.error_type = text(error->as_object(), "type");
        fields.error_message = text(error->as_object(), "message");
    }
    return true;
}

void AnthropicStreamDecoder::emit(ModelEvent&& event) {
    delivered_ = true;
    sink_(std::move(event));
}

void AnthropicStreamDecoder::read_usage(ondemand::object usage) {
    for (auto field : usage) {
        const std::string_view key = field.unescaped_key();
        ondemand::value value = field.value();
        if (!is_type(value, ondemand::json_type::number)) {
            continue;
        }
        if (key == "input_tokens") {
            usage_.input_tokens = value.get_uint64();
        } else if (key == "output_tokens") {
            usage_.output_tokens = value.get_uint64();
        }
    }
}

std::optional<ProviderError> AnthropicStreamDecoder::on_event(const SseEvent& event) {
    if (done_) {
        return std::nullopt;
    }
    EventFields fields;
    try {
        ondemand::document document = json_->iterate(event.data);
        for (auto field : document.get_object()) {
            const std::string_view key = field.unescaped_key();
            ondemand::value value = field.value();
            if (is_null(value)) {
                continue;
            }
            if (key == "type") {
                fields.type = string_or_empty(value);
            } else if (key == "index") {
                fields.index = static_cast<std::size_t>(std::uint64_t(value.get_uint64()));
            } else if (key == "message") {
                for (auto message_field : value.get_object()) {
                    if (const std::string_view message_key = message_field.unescaped_key(); message_key == "usage") {
                        ondemand::value usage = message_field.value();
                        if (!is_null(usage)) {
                            read_usage(usage.get_object());
                        }
                    }
                }
            } else if (key == "usage") {
                read_usage(value.get_object());
            } else if (key == "content_block") {
                for (auto block_field : value.get_object()) {
                    const std::string_view block_key = block_field.unescaped_key();
                    if (block_key == "type") {
                        fields.block_type = string_or_empty(block_field.value());
                    } else if (block_key == "id") {
                        fields.block_id = string_or_empty(block_field.value());
                    } else if (block_key == "name") {
                        fields.block_name = string_or_empty(block_field.value());
                    }
                }
            } else if (key == "delta") {
                for (auto delta_field : value.get_object()) {
                    const std::string_view delta_key = delta_field.unescaped_key();
                    if (delta_key == "type") {
                        fields.delta_type = string_or_empty(delta_field.value());
                    } else if (delta_key == "text" || delta_key == "partial_json") {
                        fields.delta_text = string_or_empty(delta_field.value());
                    } else if (delta_key == "stop_reason") {
                        fields.stop_reason = string_or_empty(delta_field.value());
                    }
                }
            } else if (key == "error") {
                for (auto error_field : value.get_object()) {
                    const std::string_view error_key = error_field.unescaped_key();
                    if (error_key == "type") {
                        fields.error_type = string_or_empty(error_field.value());
                    } else if (error_key == "message") {
                        fields.error_message = string_or_empty(error_field.value());
                    }
                }
            }
        }
    } catch (const simdjson::simdjson_error& failure) {
        // simdjson only takes valid UTF-8; a character cut between two chunks is decoded by Boost.JSON.
        if (failure.error() != simdjson::UTF8_ERROR || !lenient_fields(event.data, fields)) {
            return ProviderError{.kind = ProviderErrorKind::protocol,
                                 .message = std::string("bad JSON in the stream: ") + failure.what()};
        }
    }

    if (fields.type == "content_block_start") {
        if (fields.block_type == "tool_use") {
            const std::size_t tool_index = tool_calls_++;
            tool_blocks_[fields.index] = ToolBlock{.tool_index = tool_index};
            emit(ToolCallStarted{
                .index = tool_index, .id = std::move(fields.block_id), .name = std::move(fields.block_name)});
        }
    } else if (fields.type == "content_block_delta") {
        if (fields.delta_type == "text_delta" && !fields.delta_text.empty()) {
            emit(TextDelta{std::move(fields.delta_text)});
        } else if (fields.delta_type == "input_json_delta") {
            const auto it = tool_blocks_.find(fields.index);
            if (it != tool_blocks_.end() && !fields.delta_text.empty()) {
                it->second.got_input = true;
                emit(ToolCallArgumentsDelta{.index = it->second.tool_index, .fragment = std::move(fields.delta_text)});
            }
        }
    } else if (fields.type == "content_block_stop") {
        const auto it = tool_blocks_.find(fields.index);
        if (it != tool_blocks_.end()) {
            if (!it->second.got_input) {
                // A tool without arguments streams no input_json_delta; its input is {}.
                emit(ToolCallArgumentsDelta{.index = it->second.tool_index, .fragment = "{}"});
            }
            emit(ToolCallFinished{.index = it->second.tool_index});
            tool_blocks_.erase(it);
        }
    } else if (fields.type == "message_delta") {
        if (!fields.stop_reason.empty()) {
            finish_reason_ = map_stop_reason(fields.stop_reason);
        }
    } else if (fields.type == "message_stop") {
        done_ = true;
        emit(UsageReported{usage_});
    } else if (fields.type == "error") {
        ProviderError error{.kind = ProviderErrorKind::server,
                            .message = "upstream error " + fields.error_type + ": " + fields.error_message};
        if (fields.error_type == "rate_limit_error") {
            error.kind = ProviderErrorKind::rate_limited;
        } else if (fields.error_type == "invalid_request_error" || fields.error_type == "authentication_error" ||
                   fields.error_type == "permission_error" || fields.error_type == "not_found_error") {
            error.kind = ProviderErrorKind::client;
        }
        return error;
    }
    // ping and unknown event types are ignored
    return std::nullopt;
}

}  // namespace parley::core
