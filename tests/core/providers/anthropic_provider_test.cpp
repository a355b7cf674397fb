#include "core/providers/anthropic_provider.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "core/providers/anthropic_request.hpp"
#include "tests/core/providers/provider_test_support.hpp"
#include "tests/core/run_io.hpp"
#include "tests/support/fake_model_server.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
using namespace parley::core;
using parley::core::test::RecordedStream;
using parley::core::test::run_io;
using parley::core::test::user_request;
using parley::testing::FakeModelServer;
using parley::testing::Script;
using parley::testing::ToolCallScript;

namespace {

ProviderConfig anthropic_config(const FakeModelServer& server) {
    ProviderConfig config;
    config.name = "claude";
    config.kind = ProviderKind::anthropic;
    config.base_url = server.base_url() + "/v1";
    config.api_key = "sk-ant-test";
    return config;
}

asio::awaitable<ModelOutcome> call(Provider& provider, ModelRequest request, RecordedStream& recorded) {
    co_return co_await provider.stream(request, recorded.sink());
}

}  // namespace

TEST_CASE("anthropic: text deltas, usage and headers", "[providers]") {
    FakeModelServer server;
    Script script;
    script.route = parley::testing::Route::anthropic;
    script.explicit_chunks = {"gr\xC3", "\xBC\xC3\x9F", " dich"};
    script.usage = parley::testing::Usage{.prompt_tokens = 9, .completion_tokens = 3};
    server.enqueue(script);
    asio::io_context io;
    HttpClient http(io.get_executor());
    AnthropicProvider provider(anthropic_config(server), http);
    RecordedStream recorded;
    const auto outcome = run_io(io, call(provider, user_request("hallo"), recorded));
    REQUIRE_FALSE(outcome.error);
    CHECK(recorded.text() == "gr\xC3\xBC\xC3\x9F dich");
    CHECK(outcome.finish_reason == FinishReason::stop);
    CHECK(outcome.usage.input_tokens == 9);
    CHECK(outcome.usage.output_tokens == 3);
    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].target == "/v1/messages");
    CHECK(requests[0].headers.at("x-api-key") == "sk-ant-test");
    CHECK(requests[0].headers.at("anthropic-version") == "2023-06-01");
    CHECK(requests[0].headers.count("authorization") == 0);
}

TEST_CASE("anthropic: tool_use blocks with input_json_delta fragments", "[providers]") {
    FakeModelServer server;
    Script script;
    script.route = parley::testing::Route::anthropic;
    script.text = "Checking.";
    ToolCallScript weather;
    weather.id = "toolu_1";
    weather.name = "get_weather";
    weather.arguments = R"({"city":"Oslo"})";
    weather.explicit_fragments = {R"({"cit)", R"(y":"Os)", R"(lo"})"};
    script.tool_calls = {weather};
    server.enqueue(script);
    asio::io_context io;
    HttpClient http(io.get_executor());
    AnthropicProvider provider(anthropic_config(server), http);
    RecordedStream recorded;
    const auto outcome = run_io(io, call(provider, user_request("weather in Oslo?"), recorded));
    REQUIRE_FALSE(outcome.error);
    CHECK(outcome.finish_reason == FinishReason::tool_calls);
    CHECK(recorded.text() == "Checking.");
    REQUIRE(recorded.tool_calls().size() == 1);
    CHECK(recorded.tool_calls()[0].id == "toolu_1");
    CHECK(recorded.tool_calls()[0].name == "get_weather");
    CHECK(recorded.tool_calls()[0].arguments_json == R"({"city":"Oslo"})");
    CHECK(recorded.tool_call_finished(0));
}

TEST_CASE("anthropic: a stream that dies before message_stop is an error", "[providers]") {
    FakeModelServer server;
    Script script;
    script.route = parley::testing::Route::anthropic;
    script.text = "one two three";
    script.drop_after_chunks = 1;
    server.enqueue(script);
    asio::io_context io;
    HttpClient http(io.get_executor());
    AnthropicProvider provider(anthropic_config(server), http);
    RecordedStream recorded;
    const auto outcome = run_io(io, call(provider, user_request("hi"), recorded));
    REQUIRE(outcome.error);
    CHECK(outcome.error->after_first_delta);
}

TEST_CASE("anthropic: the request maps system, tools, tool_use and tool_result", "[providers]") {
    ModelRequest request = user_request("weather?");
    request.model = "claude-x";
    request.system_prompt = "Be brief.";
    request.tools.push_back(ToolSpec{
        .name = "get_weather",
        .description = "Weather.",
        .parameters = json::parse(R"({"type":"object","properties":{"city":{"type":"string"}}})").as_object()});
    request.messages.push_back(ChatMessage{
        .role = ChatRole::assistant,
        .content = "Looking.",
        .tool_calls = {ToolCall{.id = "toolu_1", .name = "get_weather", .arguments_json = R"({"city":"Oslo"})"},
                       ToolCall{.id = "toolu_2", .name = "get_weather", .arguments_json = R"({"city":"Rome"})"}}});
    request.messages.push_back(ChatMessage{.role = ChatRole::tool, .content = "cold", .tool_call_id = "toolu_1"});
    request.messages.push_back(
        ChatMessage{.role = ChatRole::tool, .content = "failed", .tool_call_id = "toolu_2", .is_error = true});
    const auto body = json::parse(anthropic_messages_request_body(request)).as_object();
    CHECK(body.at("model") == "claude-x");
    CHECK(body.at("system") == "Be brief.");
    CHECK(body.at("max_tokens") == kAnthropicDefaultMaxTokens);
    CHECK(body.at("stream") == true);
    CHECK(body.at("tools").at(0).at("input_schema").at("type") == "object");
    const auto& messages = body.at("messages").as_array();
    REQUIRE(messages.size() == 3);
    CHECK(messages[0].at("role") == "user");
    CHECK(messages[0].at("content").at(0).at("text") == "weather?");
    CHECK(messages[1].at("role") == "assistant");
    CHECK(messages[1].at("content").at(0).at("type") == "text");
    CHECK(messages[1].at("content").at(1).at("type") == "tool_use");
    CHECK(messages[1].at("content").at(1).at("input").at("city") == "Oslo");
    // Both results in one user turn, as the API requires.
    CHECK(messages[2].at("role") == "user");
    CHECK(messages[2].at("content").as_array().size() == 2);
    CHECK(messages[2].at("content").at(0).at("type") == "tool_result");
    CHECK(messages[2].at("content").at(0).at("tool_use_id") == "toolu_1");
    CHECK(messages[2].at("content").at(1).at("is_error") == true);
}
