#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "tests/support/script.hpp"

// What the fake model server answers, as plain functions of (script, request):
// no I/O here, the server only paces and writes what these build.
namespace parley::testing {

// What the fake server needs from a chat request body.
struct ChatRequest {
    Route route = Route::openai;
    std::string model;
    bool stream = false;
    bool include_usage = false;      // OpenAI stream_options.include_usage
    std::string last_user_text;      // text of the last user message ("" if none)
    std::uint64_t prompt_words = 0;  // words over the system prompt and every message
};

struct ChatRequestParse {
    std::optional<ChatRequest> request;
    std::string error;  // why the body was rejected (400)
};

// Parses an OpenAI chat-completions or Anthropic messages body; never throws.
[[nodiscard]] ChatRequestParse parse_chat_request(Route route, std::string_view body);

// One server-sent event before its send stamp is added.
struct StreamEvent {
    std::string name;          // Anthropic event name; empty for OpenAI chunks
    boost::json::object data;  // gets "x_fake_sent_ns" when sent
    bool done_marker = false;  // OpenAI "data: [DONE]" (data unused)
    bool piece = false;        // a scripted piece: paced, counted by drop/hang_after_chunks
};

// The text pieces a script streams for a request (concatenated: the full reply text).
[[nodiscard]] std::vector<std::string> text_pieces(const Script& script, const ChatRequest& request);

// Splits text into at most `count` pieces of similar size, cutting only between UTF-8 characters.
[[nodiscard]] std::vector<std::string> split_even(std::string_view text, std::size_t count);
// One piece per word; each piece after the first starts with the whitespace before its word.
[[nodiscard]] std::vector<std::string> split_words(std::string_view text);

// `response_number` makes ids unique per server ("chatcmpl-fake-<n>", "msg_fake_<n>").
[[nodiscard]] std::vector<StreamEvent> stream_events(const Script& script, const ChatRequest& request,
                                                     std::uint64_t response_number);
[[nodiscard]] boost::json::object complete_response(const Script& script, const ChatRequest& request,
                                                    std::uint64_t response_number);
// An error body in the route's own shape (OpenAI {"error":{...}}, Anthropic {"type":"error",...}).
[[nodiscard]] boost::json::object error_response(Route route, unsigned status, std::string_view message);
// {"object":"list","data":[{"id","object":"model","created","owned_by"}]}
[[nodiscard]] boost::json::object models_response(const std::vector<std::string>& models);

// The wire form of one event with its send stamp: "data: {...}\n\n" or "event: NAME\ndata: {...}\n\n".
[[nodiscard]] std::string format_sse(const StreamEvent& event, std::int64_t sent_ns);

// Prefixes the text of a streamed text piece (OpenAI delta.content, Anthropic text_delta) with
// "<sent_ns> " (Script::stamp_pieces); other events, tool-call fragments included, stay as they are.
void stamp_piece_text(StreamEvent& event, std::int64_t sent_ns);

inline constexpr std::string_view kSentStampField = "x_fake_sent_ns";

}  // namespace parley::testing
