#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace parley::core {

enum class EventType {
    turn_queued,
    turn_started,
    message_delta,
    tool_call,
    tool_result,
    message_completed,
    turn_completed,
    turn_interrupted,
    turn_failed,
};

[[nodiscard]] std::string_view to_string(EventType type);
[[nodiscard]] bool is_terminal(EventType type);

// One event of a session, immutable once published. Its JSON is serialized
// once and shared by every subscriber (SSE and WebSocket send the same text).
struct Event {
    EventType type = EventType::message_delta;
    std::uint64_t seq = 0;
    std::string session_id;
    std::string turn_id;
    // message.delta only: kept so a lagging subscriber's deltas can be merged.
    std::string message_id;
    std::string delta;
    std::string json;
};

using EventPtr = std::shared_ptr<const Event>;

// Whether an event's JSON is written: skipped when nobody who can see the
// event reads it (a chat completion's SSE writes chunks from the fields), and
// then Event::json stays empty.
enum class EventJson { write, skip };

// Builds an event: `fields` are the type-specific members (API.md); type,
// session_id, seq and turn_id (when not empty) are added here.
[[nodiscard]] EventPtr make_event(EventType type, std::uint64_t seq, std::string_view session_id,
                                  std::string_view turn_id, boost::json::object fields,
                                  EventJson write_json = EventJson::write);

[[nodiscard]] EventPtr make_delta_event(std::uint64_t seq, std::string_view session_id, std::string_view turn_id,
                                        std::string_view message_id, std::string delta,
                                        EventJson write_json = EventJson::write);

}  // namespace parley::core
