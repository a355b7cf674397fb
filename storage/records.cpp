#include "storage/records.hpp"

namespace parley::storage {

std::string_view to_string(SessionStatus status) noexcept {
    switch (status) {
        case SessionStatus::idle: return "idle";
        case SessionStatus::running: return "running";
    }
    return "idle";
}

std::string_view to_string(MessageRole role) noexcept {
    switch (role) {
        case MessageRole::user: return "user";
        case MessageRole::assistant: return "assistant";
        case MessageRole::tool: return "tool";
    }
    return "user";
}

std::string_view to_string(MessageStatus status) noexcept {
    switch (status) {
        case MessageStatus::complete: return "complete";
        case MessageStatus::interrupted: return "interrupted";
        case MessageStatus::failed: return "failed";
    }
    return "complete";
}

std::string_view to_string(TodoStatus status) noexcept {
    switch (status) {
        case TodoStatus::pending: return "pending";
        case TodoStatus::in_progress: return "in_progress";
        case TodoStatus::completed: return "completed";
        case TodoStatus::cancelled: return "cancelled";
    }
    return "pending";
}

std::optional<SessionStatus> parse_session_status(std::string_view text) noexcept {
    if (text == "idle") {
        return SessionStatus::idle;
    }
    if (text == "running") {
        return SessionStatus::running;
    }
    return std::nullopt;
}

std::optional<MessageRole> parse_message_role(std::string_view text) noexcept {
    if (text == "user") {
        return MessageRole::user;
    }
    if (text == "assistant") {
        return MessageRole::assistant;
    }
    if (text == "tool") {
        return MessageRole::tool;
    }
    return std::nullopt;
}

std::optional<MessageStatus> parse_message_status(std::string_view text) noexcept {
    if (text == "complete") {
        return MessageStatus::complete;
    }
    if (text == "interrupted") {
        return MessageStatus::interrupted;
    }
    if (text == "failed") {
        return MessageStatus::failed;
    }
    return std::nullopt;
}

std::optional<TodoStatus> parse_todo_status(std::string_view text) noexcept {
    if (text == "pending") {
        return TodoStatus::pending;
    }
    if (text == "in_progress") {
        return TodoStatus::in_progress;
    }
    if (text == "completed") {
        return TodoStatus::completed;
    }
    if (text == "cancelled") {
        return TodoStatus::cancelled;
    }
    return std::nullopt;
}

}  // namespace parley::storage
