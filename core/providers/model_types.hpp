#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>

// The provider-neutral vocabulary of a model call: what the agent loop asks
// for, and the stream of events any provider (OpenAI, Anthropic, mock) turns
// its wire format into.
namespace parley::core {

enum class ChatRole { user, assistant, tool };

struct ToolCall {
    std::string id;  // call_... (or the upstream's id)
    std::string name;
    std::string arguments_json;  // the model's arguments, a JSON object as text
};

struct ChatMessage {
    ChatRole role = ChatRole::user;
    std::string content{};
    std::vector<ToolCall> tool_calls{};  // assistant messages that call tools
    std::string tool_call_id{};          // tool results: the call they answer
    std::string tool_name{};             // tool results: the tool's name
    bool is_error = false;               // tool results: the tool failed
};

struct ToolSpec {
    std::string name;
    std::string description{};
    boost::json::object parameters{};  // JSON schema
};

struct ModelRequest {
    std::string model;
    std::string system_prompt;
    std::vector<ChatMessage> messages;
    std::vector<ToolSpec> tools;
    std::optional<double> temperature;
    std::optional<unsigned> max_tokens;
    // Whether the answer is wanted as it is generated. False when nobody can watch
    // it arrive: a provider may then ask for it whole, which costs less on both
    // ends. The events reaching the sink are the same either way.
    bool stream = true;
};

enum class FinishReason { stop, max_tokens, tool_calls };

struct TokenUsage {
    std::uint64_t input_tokens = 0;
    std::uint64_t output_tokens = 0;
};

// Stream events, in the order a provider produces them.
struct TextDelta {
    std::string text;
};
struct ToolCallStarted {
    std::size_t index = 0;
    std::string id;
    std::string name;
};
struct ToolCallArgumentsDelta {
    std::size_t index = 0;
    std::string fragment;
};
struct ToolCallFinished {
    std::size_t index = 0;
};
struct UsageReported {
    TokenUsage usage;
};
using ModelEvent = std::variant<TextDelta, ToolCallStarted, ToolCallArgumentsDelta, ToolCallFinished, UsageReported>;

// Why a model call failed. The kind decides retry and the turn's error code.
enum class ProviderErrorKind {
    network,       // connect/DNS/TLS failure or a connection lost mid-stream
    timeout,       // connect, first-byte, idle or total timeout
    cancelled,     // the caller cancelled (interrupt, shutdown)
    client,        // 4xx other than 429
    rate_limited,  // 429
    server,        // 5xx
    protocol,      // the upstream spoke nonsense (bad JSON, broken SSE, stream ended without finishing)
};

struct ProviderError {
    ProviderErrorKind kind = ProviderErrorKind::network;
    std::string message{};
    unsigned status = 0;         // HTTP status when there was one
    std::string body_excerpt{};  // the start of an error body, for the log
    std::optional<std::chrono::milliseconds> retry_after{};
    bool after_first_delta = false;  // events were already delivered: never retried
};

// The end of one model call: how it finished, with what usage, or why not.
struct ModelOutcome {
    std::optional<ProviderError> error;
    FinishReason finish_reason = FinishReason::stop;
    TokenUsage usage;
    std::string provider;  // the configured provider that answered
};

}  // namespace parley::core
