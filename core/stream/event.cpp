#include "core/stream/event.hpp"

#include <array>
#include <charconv>

#include <boost/json/serialize.hpp>

#include "core/json_text.hpp"

namespace parley::core {

std::string_view to_string(EventType type) {
    switch (type) {
        case EventType::turn_queued: return "turn.queued";
        case EventType::turn_started: return "turn.started";
        case EventType::message_delta: return "message.delta";
        case EventType::tool_call: return "tool.call";
        case EventType::tool_result: return "tool.result";
        case EventType::message_completed: return "message.completed";
        case EventType::turn_completed: return "turn.completed";
        case EventType::turn_interrupted: return "turn.interrupted";
        case EventType::turn_failed: return "turn.failed";
    }
    return "unknown";
}

bool is_terminal(EventType type) {
    return type == EventType::turn_completed || type == EventType::turn_interrupted || type == EventType::turn_failed;
}

EventPtr make_event(EventType type, std::uint64_t seq, std::string_view session_id, std::string_view turn_id,
                    boost::json::object fields, EventJson write_json) {
    auto event = std::make_shared<Event>();
    event->type = type;
    event->seq = seq;
    event->session_id = session_id;
    event->turn_id = turn_id;
    if (write_json == EventJson::skip) {
        return event;
    }
    boost::json::object body;
    body.reserve(fields.size() + 4);
    body["type"] = to_string(type);
    body["session_id"] = session_id;
    body["seq"] = seq;
    if (!turn_id.empty()) {
        body["turn_id"] = turn_id;
    }
    for (auto& field : fields) {
        body[field.key()] = std::move(field.value());
    }
    event->json = boost::json::serialize(body);
    return event;
}

EventPtr make_delta_event(std::uint64_t seq, std::string_view session_id, std::string_view turn_id,
                          std::string_view message_id, std::string delta, EventJson write_json) {
    auto event = std::make_shared<Event>();
    event->type = EventType::message_delta;
    event->seq = seq;
    event->session_id = session_id;
    event->turn_id = turn_id;
    event->message_id = message_id;
    if (write_json == EventJson::skip) {
        event->delta = std::move(delta);
        return event;
    }
    // Written directly into one reserved string, not through a json::object
    // or temporary strings: one per streamed token.
    constexpr std::string_view kType = R"({"type":"message.delta","session_id":)";
    constexpr std::string_view kSeq = R"(,"seq":)";
    constexpr std::string_view kTurn = R"(,"turn_id":)";
    constexpr std::string_view kMessage = R"(,"message_id":)";
    constexpr std::string_view kDelta = R"(,"delta":)";
    constexpr std::size_t kQuotesAndDigits = 4 * 2 + 20 + 1;
    auto& json = event->json;
    json.reserve(kType.size() + kSeq.size() + kTurn.size() + kMessage.size() + kDelta.size() + kQuotesAndDigits +
                 session_id.size() + turn_id.size() + message_id.size() + delta.size());
    json += kType;
    append_quoted_json(json, session_id);
    json += kSeq;
    std::array<char, 20> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), seq).ptr;
    json.append(digits.data(), end);
    json += kTurn;
    append_quoted_json(json, turn_id);
    json += kMessage;
    append_quoted_json(json, message_id);
    json += kDelta;
    append_quoted_json(json, delta);
    json += '}';
    event->delta = std::move(delta);
    return event;
}

}  // namespace parley::core
