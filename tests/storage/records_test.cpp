#include "storage/records.hpp"

#include <catch2/catch.hpp>

using namespace parley::storage;

TEST_CASE("record enums round-trip through their API strings", "[storage]") {
    for (auto status : {SessionStatus::idle, SessionStatus::running}) {
        CHECK(parse_session_status(to_string(status)) == status);
    }
    for (auto role : {MessageRole::user, MessageRole::assistant, MessageRole::tool}) {
        CHECK(parse_message_role(to_string(role)) == role);
    }
    for (auto status : {MessageStatus::complete, MessageStatus::interrupted, MessageStatus::failed}) {
        CHECK(parse_message_status(to_string(status)) == status);
    }
    for (auto status : {TodoStatus::pending, TodoStatus::in_progress, TodoStatus::completed, TodoStatus::cancelled}) {
        CHECK(parse_todo_status(to_string(status)) == status);
    }
    CHECK(to_string(TodoStatus::in_progress) == "in_progress");
    CHECK_FALSE(parse_session_status("Running").has_value());
    CHECK_FALSE(parse_message_role("system").has_value());
    CHECK_FALSE(parse_message_status("").has_value());
    CHECK_FALSE(parse_todo_status("done").has_value());
}
