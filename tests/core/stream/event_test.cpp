#include "core/stream/event.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using parley::core::EventType;

TEST_CASE("events carry type, session, seq and turn in their JSON", "[core][hub]") {
    const auto event = parley::core::make_event(EventType::tool_call, 7, "ses_1", "turn_1",
                                                {{"call_id", "call_1"}, {"name", "todo"}, {"arguments", {{"a", 1}}}});
    const auto json = boost::json::parse(event->json);
    CHECK(json == boost::json::parse(R"({"type":"tool.call","session_id":"ses_1","seq":7,"turn_id":"turn_1",
        "call_id":"call_1","name":"todo","arguments":{"a":1}})"));
    CHECK(parley::core::is_terminal(EventType::turn_failed));
    CHECK_FALSE(parley::core::is_terminal(EventType::message_completed));
}

TEST_CASE("delta events escape their text exactly", "[core][hub]") {
    const std::string text = "quote \" backslash \\ newline \n control \x01 unicode \xC3\xA9 \xF0\x9F\x98\x80";
    const auto event = parley::core::make_delta_event(3, "ses_1", "turn_1", "msg_1", text);
    const auto json = boost::json::parse(event->json).as_object();
    CHECK(json.at("delta").as_string() == text);
    CHECK(json.at("type") == "message.delta");
    CHECK(json.at("message_id") == "msg_1");
    CHECK(event->delta == text);
}

TEST_CASE("an event built for readers of its fields only carries no JSON", "[core][hub]") {
    using parley::core::EventJson;
    const auto delta = parley::core::make_delta_event(3, "ses_1", "turn_1", "msg_1", "hi", EventJson::skip);
    CHECK(delta->json.empty());
    CHECK(delta->type == EventType::message_delta);
    CHECK(delta->seq == 3);
    CHECK(delta->turn_id == "turn_1");
    CHECK(delta->message_id == "msg_1");
    CHECK(delta->delta == "hi");
    const auto ended = parley::core::make_event(EventType::turn_completed, 4, "ses_1", "turn_1", {}, EventJson::skip);
    CHECK(ended->json.empty());
    CHECK(ended->type == EventType::turn_completed);
    CHECK(ended->turn_id == "turn_1");
}
