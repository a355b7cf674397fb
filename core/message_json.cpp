#include "core/message_json.hpp"

#include <boost/json/parse.hpp>

#include "storage/timestamp.hpp"

namespace parley::core {
namespace {

// Stored JSON text is written only by parley itself; a damaged value is shown as null.
boost::json::value parse_stored(const std::string& text) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    return ec ? boost::json::value(nullptr) : value;
}

}  // namespace

boost::json::object message_json(const storage::Message& message) {
    boost::json::object json{{"id", message.id},
                             {"session_id", message.session_id},
                             {"seq", message.seq},
                             {"role", storage::to_string(message.role)},
                             {"content", message.content},
                             {"status", storage::to_string(message.status)},
                             {"created_at", storage::format_rfc3339(message.created_at)}};
    if (message.tool_calls) {
        json["tool_calls"] = parse_stored(*message.tool_calls);
    }
    if (message.tool_call_id) {
        json["tool_call_id"] = *message.tool_call_id;
    }
    if (message.usage) {
        json["usage"] = parse_stored(*message.usage);
    }
    return json;
}

boost::json::object session_json(const storage::Session& session, std::int64_t last_seq) {
    boost::json::object json{{"id", session.id},
                             {"agent", session.agent},
                             {"title", nullptr},
                             {"metadata", parse_stored(session.metadata)},
                             {"status", storage::to_string(session.status)},
                             {"created_at", storage::format_rfc3339(session.created_at)},
                             {"updated_at", storage::format_rfc3339(session.updated_at)},
                             {"last_seq", std::max(last_seq, session.last_seq)}};
    if (session.title) {
        json["title"] = *session.title;
    }
    return json;
}

boost::json::object todo_json(const storage::Todo& todo) {
    return {{"id", todo.id}, {"content", todo.content}, {"status", storage::to_string(todo.status)}};
}

}  // namespace parley::core
