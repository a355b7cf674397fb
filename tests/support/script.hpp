#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace parley::testing {

// The two model APIs the fake server speaks.
enum class Route { openai, anthropic };

[[nodiscard]] std::string_view route_name(Route route);

struct Usage {
    std::uint64_t prompt_tokens = 0;
    std::uint64_t completion_tokens = 0;
};

// One tool call the scripted model makes after its text.
struct ToolCallScript {
    std::string id;  // empty: "call_fake_<response>_<index>" (OpenAI), "toolu_fake_<response>_<index>" (Anthropic)
    std::string name;
    std::string arguments;                        // JSON text of the arguments object, sent split into fragments
    std::size_t fragments = 3;                    // the arguments are streamed in this many pieces
    std::vector<std::string> explicit_fragments;  // raw pieces instead (concatenated they are the arguments)
};

// How the fake server answers one model request (a chat completion or an Anthropic message).
//
// Streaming: the text is sent as `pieces`, one SSE chunk each, each preceded by
// delay_per_chunk; tool-call argument fragments follow as further pieces. The
// counters of drop_after_chunks / hang_after_chunks count these pieces only
// (not the role/message_start preamble, nor the final, usage and [DONE] chunks).
// A non-streamed answer waits first_byte_delay plus delay_per_chunk per piece;
// drop/hang then apply before anything is sent.
struct Script {
    // Keyed to one API; nullopt answers either.
    std::optional<Route> route;

    // The reply text. nullopt: "echo: " followed by the last user message.
    std::optional<std::string> text;
    // Split the text into this many pieces on UTF-8 boundaries; 0: one piece per word
    // (each piece after the first starts with the whitespace before its word).
    std::size_t chunks = 0;
    // Raw byte pieces instead of text/chunks; a piece may end inside a multi-byte
    // UTF-8 character that the next piece completes.
    std::vector<std::string> explicit_chunks;

    std::vector<ToolCallScript> tool_calls;

    std::chrono::milliseconds delay_per_chunk{0};
    std::chrono::milliseconds first_byte_delay{0};
    // Streamed text pieces start with "<emit time> ": std::chrono::steady_clock nanoseconds
    // (CLOCK_MONOTONIC) when the piece was written, then a space. A gateway forwards the text but
    // not the chunk's x_fake_sent_ns, so this lets its client time every piece, even merged ones.
    bool stamp_pieces = false;

    // nullopt: prompt_tokens = words in the request's messages (at least 1),
    // completion_tokens = pieces sent (at least 1).
    std::optional<Usage> usage;
    // Empty: "tool_calls" when there are tool calls, else "stop". OpenAI names are
    // mapped for Anthropic (stop → end_turn, tool_calls → tool_use, length → max_tokens);
    // any other value is sent unchanged on both APIs.
    std::string finish_reason;

    // Failure modes.
    unsigned status = 200;                         // anything else: an error response with this status
    std::string error_body;                        // empty: an error object in the route's own shape
    std::string retry_after;                       // non-empty: sent as the Retry-After header of the error
    std::optional<std::size_t> drop_after_chunks;  // close the TCP connection after this many pieces
    std::optional<std::size_t> hang_after_chunks;  // stop sending after this many pieces, keep the connection
    bool hang_before_headers = false;              // read the request, never answer
};

// Scripts as JSON, the shape POST /__fake/scripts accepts (see fake_model_server.hpp).
[[nodiscard]] boost::json::object script_to_json(const Script& script);

struct ScriptParseResult {
    std::vector<Script> scripts;
    std::string error;  // empty when the JSON was valid
    [[nodiscard]] bool ok() const { return error.empty(); }
};

// Accepts one script object or an array of them; unknown keys and mistyped values are errors.
[[nodiscard]] ScriptParseResult scripts_from_json(const boost::json::value& json);

}  // namespace parley::testing
