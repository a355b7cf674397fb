#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The plain records the Store reads and writes. Times are UTC milliseconds
// since the Unix epoch; format them with storage/timestamp.hpp (RFC 3339).
// JSON-valued fields (metadata, tool_calls, usage) are JSON text, stored and
// returned verbatim.
namespace parley::storage {

enum class SessionStatus { idle, running };
enum class MessageRole { user, assistant, tool };
enum class MessageStatus { complete, interrupted, failed };
enum class TodoStatus { pending, in_progress, completed, cancelled };

struct Session {
    std::string id;  // "ses_..."
    std::string tenant;
    std::string agent;
    std::optional<std::string> title;
    std::string metadata = "{}";  // a JSON object's text
    SessionStatus status = SessionStatus::idle;
    std::int64_t created_at = 0;  // 0 on create: the store's clock fills it in
    std::int64_t updated_at = 0;
    std::int64_t last_seq = 0;  // the last seq used by an event or message of the session
};

// PATCH semantics: an absent member is left alone.
struct SessionPatch {
    std::optional<std::optional<std::string>> title;  // outer: given; inner nullopt: set to null
    std::optional<std::string> metadata;              // replaces the whole object
};

struct SessionQuery {
    unsigned limit = 20;               // 1..kMaxPageSize, clamped
    std::optional<std::string> after;  // id of the last session of the previous page
};

struct SessionPage {
    std::vector<Session> data;  // most recently updated first
    bool has_more = false;
};

struct Message {
    std::string id;  // "msg_..."
    std::string session_id;
    std::int64_t seq = 0;  // > 0, unique per session
    MessageRole role = MessageRole::user;
    std::string content;
    std::optional<std::string> tool_calls;  // JSON array text
    std::optional<std::string> tool_call_id;
    MessageStatus status = MessageStatus::complete;
    std::optional<std::string> usage;  // JSON object text
    std::int64_t created_at = 0;       // 0 on append: the store's clock fills it in
};

struct MessageQuery {
    unsigned limit = 50;                     // 1..kMaxPageSize, clamped
    std::optional<std::int64_t> before_seq;  // only messages with seq < before_seq; none: the latest
};

struct MessagePage {
    std::vector<Message> data;  // ascending seq
    bool has_more = false;      // older messages exist before data.front()
};

struct Todo {
    std::string id;
    std::string content;
    TodoStatus status = TodoStatus::pending;
};

// Everything a session's live agent is built from.
struct SessionState {
    Session session;
    std::vector<Message> messages;  // every message, ascending seq
    std::vector<Todo> todos;
};

struct SearchHit {
    std::string session_id;
    std::string message_id;
    std::int64_t seq = 0;
    std::string snippet;  // matches wrapped in kSnippetOpen/kSnippetClose, cut with kSnippetEllipsis
    std::int64_t created_at = 0;
};

inline constexpr unsigned kMaxPageSize = 100;
inline constexpr std::string_view kSnippetOpen = "<mark>";
inline constexpr std::string_view kSnippetClose = "</mark>";
inline constexpr std::string_view kSnippetEllipsis = "…";

[[nodiscard]] std::string_view to_string(SessionStatus status) noexcept;
[[nodiscard]] std::string_view to_string(MessageRole role) noexcept;
[[nodiscard]] std::string_view to_string(MessageStatus status) noexcept;
[[nodiscard]] std::string_view to_string(TodoStatus status) noexcept;

[[nodiscard]] std::optional<SessionStatus> parse_session_status(std::string_view text) noexcept;
[[nodiscard]] std::optional<MessageRole> parse_message_role(std::string_view text) noexcept;
[[nodiscard]] std::optional<MessageStatus> parse_message_status(std::string_view text) noexcept;
[[nodiscard]] std::optional<TodoStatus> parse_todo_status(std::string_view text) noexcept;

}  // namespace parley::storage
