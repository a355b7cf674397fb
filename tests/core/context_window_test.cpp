#include "core/context_window.hpp"

#include <catch2/catch.hpp>

namespace {

using parley::core::ChatRole;
using parley::core::ContextWindow;
using parley::storage::Message;
using parley::storage::MessageRole;
using parley::storage::MessageStatus;

Message message(MessageRole role, std::string content, std::int64_t seq) {
    Message stored;
    stored.id = "msg_" + std::to_string(seq);
    stored.seq = seq;
    stored.role = role;
    stored.content = std::move(content);
    return stored;
}

}  // namespace

TEST_CASE("the context window keeps everything that fits", "[core][context]") {
    const std::vector<Message> history{message(MessageRole::user, "hi", 1),
                                       message(MessageRole::assistant, "hello", 2)};
    const auto messages = ContextWindow(1000).build(history);
    REQUIRE(messages.size() == 2);
    CHECK(messages[0].role == ChatRole::user);
    CHECK(messages[1].content == "hello");
}

TEST_CASE("the oldest whole turns go first, never splitting a tool call from its result", "[core][context]") {
    std::vector<Message> history;
    std::int64_t seq = 0;
    // An old turn with a tool call and its result, then two plain turns.
    history.push_back(message(MessageRole::user, std::string(400, 'a'), ++seq));
    auto call = message(MessageRole::assistant, "", ++seq);
    call.tool_calls = R"([{"id":"call_1","name":"todo","arguments":{}}])";
    history.push_back(call);
    auto result = message(MessageRole::tool, std::string(400, 'r'), ++seq);
    result.tool_call_id = "call_1";
    history.push_back(result);
    history.push_back(message(MessageRole::assistant, "done", ++seq));
    history.push_back(message(MessageRole::user, std::string(400, 'b'), ++seq));
    history.push_back(message(MessageRole::assistant, "ok", ++seq));
    history.push_back(message(MessageRole::user, "latest", ++seq));

    const auto all = ContextWindow(100000).build(history);
    CHECK(all.size() == 7);
    CHECK(all[1].tool_calls.size() == 1);

    // ~120 tokens: the first turn (about 210 tokens) must go, as a whole.
    const auto trimmed = ContextWindow(150).build(history);
    REQUIRE_FALSE(trimmed.empty());
    CHECK(trimmed.front().role == ChatRole::user);
    CHECK(trimmed.front().content == std::string(400, 'b'));
    for (const auto& kept : trimmed) {
        CHECK(kept.role != ChatRole::tool);
    }

    // Even a tiny budget keeps the latest turn.
    const auto tiny = ContextWindow(1).build(history);
    REQUIRE(tiny.size() == 1);
    CHECK(tiny.front().content == "latest");
}

TEST_CASE("tool calls without results and failed empty replies are left out", "[core][context]") {
    std::vector<Message> history;
    history.push_back(message(MessageRole::user, "do it", 1));
    auto dangling = message(MessageRole::assistant, "let me check", 2);
    dangling.tool_calls = R"([{"id":"call_9","name":"todo","arguments":{}}])";
    history.push_back(dangling);
    auto failed = message(MessageRole::assistant, "", 3);
    failed.status = MessageStatus::failed;
    history.push_back(failed);
    history.push_back(message(MessageRole::user, "again", 4));
    const auto messages = ContextWindow(1000).build(history);
    REQUIRE(messages.size() == 3);
    CHECK(messages[1].content == "let me check");
    CHECK(messages[1].tool_calls.empty());
    CHECK(messages[2].content == "again");
}
