#include "tests/support/model_responses.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace parley::testing {
namespace {

constexpr std::string_view kEchoPrefix = "echo: ";
constexpr std::string_view kDefaultModel = "fake-model";

[[nodiscard]] bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

[[nodiscard]] bool is_utf8_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U;
}

[[nodiscard]] std::uint64_t count_words(std::string_view text) {
    std::uint64_t words = 0;
    bool in_word = false;
    for (const char c : text) {
        if (is_space(c)) {
            in_word = false;
        } else if (!in_word) {
            in_word = true;
            ++words;
        }
    }
    return words;
}

// The text of a message content: a string, or an array of {"type":"text","text":...} parts.
[[nodiscard]] std::string content_text(const boost::json::value& content) {
    if (content.is_string()) {
        return {content.get_string().data(), content.get_string().size()};
    }
    std::string text;
    if (!content.is_array()) {
        return text;
    }
    for (const auto& part : content.get_array()) {
        if (!part.is_object()) {
            continue;
        }
        const auto* part_text = part.get_object().if_contains("text");
        if (part_text != nullptr && part_text->is_string()) {
            text.append(part_text->get_string().data(), part_text->get_string().size());
        }
    }
    return text;
}

[[nodiscard]] std::int64_t unix_seconds_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

[[nodiscard]] std::string finish_reason(const Script& script) {
    if (!script.finish_reason.empty()) {
        return script.finish_reason;
    }
    return script.tool_calls.empty() ? "stop" : "tool_calls";
}

[[nodiscard]] std::string anthropic_stop_reason(const Script& script) {
    const auto reason = finish_reason(script);
    if (reason == "stop") {
        return "end_turn";
    }
    if (reason == "tool_calls") {
        return "tool_use";
    }
    if (reason == "length") {
        return "max_tokens";
    }
    return reason;
}

[[nodiscard]] std::vector<std::string> argument_fragments(const ToolCallScript& call) {
    if (!call.explicit_fragments.empty()) {
        return call.explicit_fragments;
    }
    return split_even(call.arguments, std::max<std::size_t>(call.fragments, 1));
}

[[nodiscard]] std::string joined(const std::vector<std::string>& pieces) {
    std::string text;
    for (const auto& piece : pieces) {
        text += piece;
    }
    return text;
}

[[nodiscard]] std::string tool_call_id(const ToolCallScript& call, Route route, std::uint64_t response_number,
                                       std::size_t index) {
    if (!call.id.empty()) {
        return call.id;
    }
    return fmt::format("{}_fake_{}_{}", route == Route::openai ? "call" : "toolu", response_number, index);
}

[[nodiscard]] Usage usage_for(const Script& script, const ChatRequest& request, std::size_t pieces_sent) {
    if (script.usage) {
        return *script.usage;
    }
    return Usage{std::max<std::uint64_t>(request.prompt_words, 1), std::max<std::uint64_t>(pieces_sent, 1)};
}

[[nodiscard]] std::size_t piece_count(const Script& script, const std::vector<std::string>& text) {
    std::size_t count = text.size();
    for (const auto& call : script.tool_calls) {
        count += argument_fragments(call).size();
    }
    return count;
}

[[nodiscard]] std::string model_name(const ChatRequest& request) {
    return request.model.empty() ? std::string(kDefaultModel) : request.model;
}

// ---- OpenAI -------------------------------------------------------------------------------------

// What every chunk of one streamed completion repeats.
struct OpenAiChunkHeader {
    std::string id;
    std::string model;
    std::int64_t created = 0;
    bool include_usage = false;
};

[[nodiscard]] OpenAiChunkHeader openai_chunk_header(const ChatRequest& request, std::uint64_t response_number) {
    return {fmt::format("chatcmpl-fake-{}", response_number), model_name(request), unix_seconds_now(),
            request.include_usage};
}

[[nodiscard]] boost::json::object openai_chunk_base(const OpenAiChunkHeader& header) {
    return {{"id", header.id},
            {"object", "chat.completion.chunk"},
            {"created", header.created},
            {"model", header.model},
            {"system_fingerprint", "fp_fake"}};
}

[[nodiscard]] StreamEvent openai_chunk(const OpenAiChunkHeader& header, boost::json::object delta,
                                       boost::json::value finish, bool piece) {
    StreamEvent event;
    event.data = openai_chunk_base(header);
    boost::json::object choice{
        {"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr}, {"finish_reason", std::move(finish)}};
    event.data["choices"] = boost::json::array{std::move(choice)};
    if (header.include_usage) {
        // As OpenAI does: every chunk but the last carries "usage": null.
        event.data["usage"] = nullptr;
    }
    event.piece = piece;
    return event;
}

[[nodiscard]] StreamEvent openai_usage_chunk(const OpenAiChunkHeader& header, const Usage& usage) {
    StreamEvent event;
    event.data = openai_chunk_base(header);
    event.data["choices"] = boost::json::array{};
    event.data["usage"] = {{"prompt_tokens", usage.prompt_tokens},
                           {"completion_tokens", usage.completion_tokens},
                           {"total_tokens", usage.prompt_tokens + usage.completion_tokens}};
    return event;
}

[[nodiscard]] std::vector<StreamEvent> openai_stream(const Script& script, const ChatRequest& request,
                                                     std::uint64_t response_number) {
    const auto header = openai_chunk_header(request, response_number);
    const auto text = text_pieces(script, request);
    std::vector<StreamEvent> events;

    boost::json::object role{{"role", "assistant"}};
    role["content"] = text.empty() && !script.tool_calls.empty() ? boost::json::value(nullptr) : boost::json::value("");
    events.push_back(openai_chunk(header, std::move(role), nullptr, false));
    for (const auto& piece : text) {
        events.push_back(openai_chunk(header, {{"content", piece}}, nullptr, true));
    }
    for (std::size_t index = 0; index < script.tool_calls.size(); ++index) {
        const auto& call = script.tool_calls[index];
        boost::json::object opening{{"index", index},
                                    {"id", tool_call_id(call, Route::openai, response_number, index)},
                                    {"type", "function"},
                                    {"function", {{"name", call.name}, {"arguments", ""}}}};
        events.push_back(
            openai_chunk(header, {{"tool_calls", boost::json::array{std::move(opening)}}}, nullptr, false));
        for (const auto& fragment : argument_fragments(call)) {
            boost::json::object delta{{"index", index}, {"function", {{"arguments", fragment}}}};
            events.push_back(
                openai_chunk(header, {{"tool_calls", boost::json::array{std::move(delta)}}}, nullptr, true));
        }
    }
    events.push_back(openai_chunk(header, {}, boost::json::value(finish_reason(script)), false));
    if (request.include_usage) {
        events.push_back(openai_usage_chunk(header, usage_for(script, request, piece_count(script, text))));
    }
    StreamEvent done;
    done.done_marker = true;
    events.push_back(std::move(done));
    return events;
}

[[nodiscard]] boost::json::object openai_completion(const Script& script, const ChatRequest& request,
                                                    std::uint64_t response_number) {
    const auto text = text_pieces(script, request);
    boost::json::object message{{"role", "assistant"}};
    message["content"] =
        text.empty() && !script.tool_calls.empty() ? boost::json::value(nullptr) : boost::json::value(joined(text));
    if (!script.tool_calls.empty()) {
        boost::json::array calls;
        for (std::size_t index = 0; index < script.tool_calls.size(); ++index) {
            const auto& call = script.tool_calls[index];
            calls.push_back({{"id", tool_call_id(call, Route::openai, response_number, index)},
                             {"type", "function"},
                             {"function", {{"name", call.name}, {"arguments", joined(argument_fragments(call))}}}});
        }
        message["tool_calls"] = std::move(calls);
    }
    const auto usage = usage_for(script, request, piece_count(script, text));
    boost::json::object choice{
        {"index", 0}, {"message", std::move(message)}, {"logprobs", nullptr}, {"finish_reason", finish_reason(script)}};
    return {{"id", fmt::format("chatcmpl-fake-{}", response_number)},
            {"object", "chat.completion"},
            {"created", unix_seconds_now()},
            {"model", model_name(request)},
            {"system_fingerprint", "fp_fake"},
            {"choices", boost::json::array{std::move(choice)}},
            {"usage",
             {{"prompt_tokens", usage.prompt_tokens},
              {"completion_tokens", usage.completion_tokens},
              {"total_tokens", usage.prompt_tokens + usage.completion_tokens}}}};
}

// ---- Anthropic ----------------------------------------------------------------------------------

[[nodiscard]] StreamEvent anthropic_event(std::string_view name, const boost::json::object& fields,
                                          bool piece = false) {
    StreamEvent event;
    event.name = name;
    // "type" first, as Anthropic sends it.
    event.data["type"] = name;
    for (const auto& field : fields) {
        event.data[field.key()] = field.value();
    }
    event.piece = piece;
    return event;
}

// The tool input as a JSON value; text that is not JSON stays a string so a test can script bad arguments.
[[nodiscard]] boost::json::value tool_input(const std::string& arguments) {
    boost::system::error_code error;
    auto parsed = boost::json::parse(arguments, error);
    if (error) {
        return boost::json::value(arguments);
    }
    return parsed;
}

[[nodiscard]] std::vector<StreamEvent> anthropic_stream(const Script& script, const ChatRequest& request,
                                                        std::uint64_t response_number) {
    const auto text = text_pieces(script, request);
    const auto usage = usage_for(script, request, piece_count(script, text));
    std::vector<StreamEvent> events;

    boost::json::object message{{"id", fmt::format("msg_fake_{}", response_number)},
                                {"type", "message"},
                                {"role", "assistant"},
                                {"content", boost::json::array{}},
                                {"model", model_name(request)},
                                {"stop_reason", nullptr},
                                {"stop_sequence", nullptr},
                                {"usage", {{"input_tokens", usage.prompt_tokens}, {"output_tokens", 1}}}};
    events.push_back(anthropic_event("message_start", {{"message", std::move(message)}}));

    std::size_t block = 0;
    const bool text_block = !text.empty() || script.tool_calls.empty();
    if (text_block) {
        events.push_back(anthropic_event("content_block_start",
                                         {{"index", block}, {"content_block", {{"type", "text"}, {"text", ""}}}}));
    }
    events.push_back(anthropic_event("ping", {}));
    if (text_block) {
        for (const auto& piece : text) {
            events.push_back(anthropic_event(
                "content_block_delta", {{"index", block}, {"delta", {{"type", "text_delta"}, {"text", piece}}}}, true));
        }
        events.push_back(anthropic_event("content_block_stop", {{"index", block}}));
        ++block;
    }
    for (std::size_t index = 0; index < script.tool_calls.size(); ++index, ++block) {
        const auto& call = script.tool_calls[index];
        boost::json::object content_block{{"type", "tool_use"},
                                          {"id", tool_call_id(call, Route::anthropic, response_number, index)},
                                          {"name", call.name},
                                          {"input", boost::json::object{}}};
        events.push_back(
            anthropic_event("content_block_start", {{"index", block}, {"content_block", std::move(content_block)}}));
        for (const auto& fragment : argument_fragments(call)) {
            events.push_back(anthropic_event(
                "content_block_delta",
                {{"index", block}, {"delta", {{"type", "input_json_delta"}, {"partial_json", fragment}}}}, true));
        }
        events.push_back(anthropic_event("content_block_stop", {{"index", block}}));
    }
    events.push_back(anthropic_event(
        "message_delta", {{"delta", {{"stop_reason", anthropic_stop_reason(script)}, {"stop_sequence", nullptr}}},
                          {"usage", {{"output_tokens", usage.completion_tokens}}}}));
    events.push_back(anthropic_event("message_stop", {}));
    return events;
}

[[nodiscard]] boost::json::object anthropic_message(const Script& script, const ChatRequest& request,
                                                    std::uint64_t response_number) {
    const auto text = text_pieces(script, request);
    const auto usage = usage_for(script, request, piece_count(script, text));
    boost::json::array content;
    if (!text.empty() || script.tool_calls.empty()) {
        content.push_back({{"type", "text"}, {"text", joined(text)}});
    }
    for (std::size_t index = 0; index < script.tool_calls.size(); ++index) {
        const auto& call = script.tool_calls[index];
        content.push_back({{"type", "tool_use"},
                           {"id", tool_call_id(call, Route::anthropic, response_number, index)},
                           {"name", call.name},
                           {"input", tool_input(joined(argument_fragments(call)))}});
    }
    return {{"id", fmt::format("msg_fake_{}", response_number)},
            {"type", "message"},
            {"role", "assistant"},
            {"model", model_name(request)},
            {"content", std::move(content)},
            {"stop_reason", anthropic_stop_reason(script)},
            {"stop_sequence", nullptr},
            {"usage", {{"input_tokens", usage.prompt_tokens}, {"output_tokens", usage.completion_tokens}}}};
}

[[nodiscard]] std::string openai_error_type(unsigned status) {
    constexpr unsigned kBadRequest = 400;
    constexpr unsigned kUnauthorized = 401;
    constexpr unsigned kNotFound = 404;
    constexpr unsigned kTooManyRequests = 429;
    switch (status) {
        case kBadRequest: return "invalid_request_error";
        case kUnauthorized: return "authentication_error";
        case kNotFound: return "not_found_error";
        case kTooManyRequests: return "rate_limit_error";
        default: return "server_error";
    }
}

[[nodiscard]] std::string anthropic_error_type(unsigned status) {
    constexpr unsigned kOverloaded = 529;
    if (status == kOverloaded) {
        return "overloaded_error";
    }
    const auto type = openai_error_type(status);
    return type == "server_error" ? "api_error" : type;
}

}  // namespace

ChatRequestParse parse_chat_request(Route route, std::string_view body) {
    ChatRequestParse result;
    boost::system::error_code error;
    boost::json::parse_options options;
    options.allow_invalid_utf8 = true;
    const auto json = boost::json::parse(body, error, {}, options);
    if (error) {
        result.error = fmt::format("request body is not valid JSON: {}", error.message());
        return result;
    }
    if (!json.is_object()) {
        result.error = "request body must be a JSON object";
        return result;
    }
    const auto& root = json.get_object();
    ChatRequest request;
    request.route = route;
    if (const auto* model = root.if_contains("model")) {
        if (!model->is_string()) {
            result.error = "'model' must be a string";
            return result;
        }
        request.model = std::string(model->get_string());
    }
    if (const auto* stream = root.if_contains("stream"); stream != nullptr && !stream->is_null()) {
        if (!stream->is_bool()) {
            result.error = "'stream' must be a boolean";
            return result;
        }
        request.stream = stream->get_bool();
    }
    if (const auto* options_value = root.if_contains("stream_options");
        options_value != nullptr && !options_value->is_null()) {
        if (!options_value->is_object()) {
            result.error = "'stream_options' must be an object";
            return result;
        }
        if (const auto* include = options_value->get_object().if_contains("include_usage")) {
            if (!include->is_bool()) {
                result.error = "'stream_options.include_usage' must be a boolean";
                return result;
            }
            request.include_usage = include->get_bool();
        }
    }
    if (const auto* system = root.if_contains("system")) {
        request.prompt_words += count_words(content_text(*system));
    }
    const auto* messages = root.if_contains("messages");
    if (messages == nullptr || !messages->is_array()) {
        result.error = "'messages' must be an array";
        return result;
    }
    for (const auto& message : messages->get_array()) {
        if (!message.is_object()) {
            result.error = "'messages' items must be objects";
            return result;
        }
        const auto& fields = message.get_object();
        const auto* content = fields.if_contains("content");
        const auto text = content == nullptr ? std::string() : content_text(*content);
        request.prompt_words += count_words(text);
        const auto* role = fields.if_contains("role");
        if (role == nullptr || !role->is_string()) {
            result.error = "'messages[].role' must be a string";
            return result;
        }
        if (role->get_string() == "user") {
            request.last_user_text = text;
        }
    }
    result.request = std::move(request);
    return result;
}

std::vector<std::string> split_even(std::string_view text, std::size_t count) {
    std::vector<std::string> pieces;
    if (text.empty() || count == 0) {
        return pieces;
    }
    std::vector<std::size_t> starts;  // byte offset of every UTF-8 character
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_utf8_continuation(text[i])) {
            starts.push_back(i);
        }
    }
    if (starts.empty() || starts.front() != 0) {
        starts.insert(starts.begin(), 0);
    }
    const auto characters = starts.size();
    const auto parts = std::min(count, characters);
    for (std::size_t part = 0; part < parts; ++part) {
        const auto first = starts[part * characters / parts];
        const auto last = part + 1 == parts ? text.size() : starts[(part + 1) * characters / parts];
        pieces.emplace_back(text.substr(first, last - first));
    }
    return pieces;
}

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> pieces;
    std::size_t start = 0;
    for (std::size_t i = 1; i < text.size(); ++i) {
        // A piece ends where whitespace follows a word.
        if (is_space(text[i]) && !is_space(text[i - 1])) {
            pieces.emplace_back(text.substr(start, i - start));
            start = i;
        }
    }
    if (start < text.size()) {
        pieces.emplace_back(text.substr(start));
    }
    return pieces;
}

std::vector<std::string> text_pieces(const Script& script, const ChatRequest& request) {
    if (!script.explicit_chunks.empty()) {
        return script.explicit_chunks;
    }
    const auto text = script.text ? *script.text : std::string(kEchoPrefix) + request.last_user_text;
    return script.chunks == 0 ? split_words(text) : split_even(text, script.chunks);
}

std::vector<StreamEvent> stream_events(const Script& script, const ChatRequest& request,
                                       std::uint64_t response_number) {
    return request.route == Route::openai ? openai_stream(script, request, response_number)
                                          : anthropic_stream(script, request, response_number);
}

boost::json::object complete_response(const Script& script, const ChatRequest& request, std::uint64_t response_number) {
    return request.route == Route::openai ? openai_completion(script, request, response_number)
                                          : anthropic_message(script, request, response_number);
}

boost::json::object error_response(Route route, unsigned status, std::string_view message) {
    if (route == Route::anthropic) {
        return {{"type", "error"}, {"error", {{"type", anthropic_error_type(status)}, {"message", message}}}};
    }
    return {
        {"error", {{"message", message}, {"type", openai_error_type(status)}, {"code", nullptr}, {"param", nullptr}}}};
}

boost::json::object models_response(const std::vector<std::string>& models) {
    boost::json::array data;
    for (const auto& model : models) {
        data.push_back({{"id", model}, {"object", "model"}, {"created", 0}, {"owned_by", "parley-fake"}});
    }
    return {{"object", "list"}, {"data", std::move(data)}};
}

std::string format_sse(const StreamEvent& event, std::int64_t sent_ns) {
    if (event.done_marker) {
        return "data: [DONE]\n\n";
    }
    auto data = event.data;
    data[kSentStampField] = sent_ns;
    std::string wire;
    if (!event.name.empty()) {
        wire = fmt::format("event: {}\n", event.name);
    }
    wire += "data: ";
    wire += boost::json::serialize(data);
    wire += "\n\n";
    return wire;
}

void stamp_piece_text(StreamEvent& event, std::int64_t sent_ns) {
    if (!event.piece) {
        return;
    }
    boost::json::string* text = nullptr;
    if (auto* choices = event.data.if_contains("choices"); choices != nullptr && choices->is_array()) {
        for (auto& choice : choices->get_array()) {
            if (auto* content = choice.as_object().at("delta").as_object().if_contains("content");
                content != nullptr && content->is_string()) {
                text = &content->get_string();
            }
        }
    } else if (auto* delta = event.data.if_contains("delta"); delta != nullptr && delta->is_object()) {
        if (auto* anthropic_text = delta->get_object().if_contains("text");
            anthropic_text != nullptr && anthropic_text->is_string()) {
            text = &anthropic_text->get_string();
        }
    }
    if (text != nullptr) {
        *text = fmt::format("{} {}", sent_ns, std::string_view(*text));
    }
}

}  // namespace parley::testing
