#include "core/providers/openai_request.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

namespace json = boost::json;
using namespace parley::core;

TEST_CASE("openai request: system first, tool calls and results, function tools, usage asked for", "[providers]") {
    ModelRequest request;
    request.model = "gpt-test";
    request.system_prompt = "Be brief.";
    request.temperature = 0.5;
    request.max_tokens = 100;
    request.messages.push_back(ChatMessage{.role = ChatRole::user, .content = "weather?"});
    request.messages.push_back(ChatMessage{
        .role = ChatRole::assistant,
        .tool_calls = {ToolCall{.id = "call_1", .name = "get_weather", .arguments_json = R"({"city":"Oslo"})"}}});
    request.messages.push_back(ChatMessage{.role = ChatRole::tool, .content = "cold", .tool_call_id = "call_1"});
    request.tools.push_back(ToolSpec{.name = "get_weather", .description = "Weather."});

    const auto body = json::parse(openai_chat_request_body(request)).as_object();
    CHECK(body.at("model") == "gpt-test");
    CHECK(body.at("stream") == true);
    CHECK(body.at("stream_options").at("include_usage") == true);
    CHECK(body.at("temperature").as_double() == 0.5);
    CHECK(body.at("max_tokens") == 100);
    const auto& messages = body.at("messages").as_array();
    REQUIRE(messages.size() == 4);
    CHECK(messages[0].at("role") == "system");
    CHECK(messages[0].at("content") == "Be brief.");
    CHECK(messages[2].at("role") == "assistant");
    CHECK(messages[2].at("content").is_null());
    CHECK(messages[2].at("tool_calls").at(0).at("type") == "function");
    CHECK(messages[2].at("tool_calls").at(0).at("function").at("arguments") == R"({"city":"Oslo"})");
    CHECK(messages[3].at("role") == "tool");
    CHECK(messages[3].at("tool_call_id") == "call_1");
    const auto& tool = body.at("tools").at(0);
    CHECK(tool.at("type") == "function");
    CHECK(tool.at("function").at("name") == "get_weather");
    CHECK(tool.at("function").at("parameters").at("type") == "object");
}

TEST_CASE("openai request: an answer wanted whole asks for no stream", "[providers]") {
    ModelRequest request;
    request.model = "gpt-test";
    request.messages.push_back(ChatMessage{.role = ChatRole::user, .content = "hi"});
    request.stream = false;
    const auto body = json::parse(openai_chat_request_body(request)).as_object();
    CHECK_FALSE(body.contains("stream"));
    CHECK_FALSE(body.contains("stream_options"));
    CHECK(body.at("messages").at(0).at("content") == "hi");
}
