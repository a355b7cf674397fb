#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

namespace parley::server::websocket {

enum class ClientFrameType { create_session, subscribe, unsubscribe, send, interrupt, ping };

// One text frame from a client, typed and validated (API.md, WebSocket).
// Only the members its type uses are set.
struct ClientFrame {
    ClientFrameType type = ClientFrameType::ping;
    std::optional<boost::json::value> ref;   // any JSON value, echoed as given
    std::string session_id;                  // subscribe, unsubscribe, send, interrupt
    std::string agent;                       // create_session
    std::optional<std::string> title;        // create_session
    std::string metadata = "{}";             // create_session: a JSON object's text
    std::optional<std::uint64_t> after_seq;  // subscribe
    std::string content;                     // send
};

// Why a frame was refused: the `error` frame's code and message, with the
// frame's `ref` and `session_id` when it had readable ones.
struct FrameError {
    std::string code;
    std::string message;
    std::optional<boost::json::value> ref;
    std::optional<std::string> session_id;
};

using FrameParse = boost::system::result<ClientFrame, FrameError>;

// Parses one text frame with simdjson. Malformed JSON, a non-object, an
// unknown or missing `type` and missing or mistyped fields are errors, never
// exceptions. Unknown members are ignored.
[[nodiscard]] FrameParse parse_client_frame(std::string_view text);

}  // namespace parley::server::websocket
