#include "core/providers/openai_provider.hpp"

#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "tests/core/providers/provider_test_support.hpp"
#include "tests/core/run_io.hpp"
#include "tests/support/fake_model_server.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace parley::core;
using parley::core::test::RecordedStream;
using parley::core::test::run_io;
using parley::core::test::user_request;
using parley::testing::FakeModelServer;
using parley::testing::Script;
using parley::testing::ToolCallScript;

namespace {

ProviderConfig openai_config(const FakeModelServer& server) {
    ProviderConfig config;
    config.name = "fake-openai";
    config.kind = ProviderKind::openai;
    config.base_url = server.base_url() + "/v1";
    config.api_key = "sk-test-secret";
    return config;
}

asio::awaitable<ModelOutcome> call(Provider& provider, ModelRequest request, RecordedStream& recorded) {
    co_return co_await provider.stream(request, recorded.sink());
}

asio::awaitable<void> wait_for(asio::steady_timer& trigger, std::chrono::steady_clock::time_point& fired_at) {
    co_await trigger.async_wait(asio::as_tuple(asio::use_awaitable));
    fired_at = std::chrono::steady_clock::now();
}

// Streams until the second text delta arrives, then `||` cancels the stream; returns when it noticed.
asio::awaitable<std::chrono::steady_clock::time_point> call_until_cancelled(
    Provider& provider, ModelRequest request, RecordedStream& recorded,
    std::chrono::steady_clock::time_point& cancelled_at) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer trigger(co_await asio::this_coro::executor, std::chrono::steady_clock::time_point::max());
    ModelEventSink sink = [&recorded, &trigger](ModelEvent&& event) {
        recorded.record(std::move(event));
        if (recorded.text_deltas() == 2) {
            trigger.cancel();
        }
    };
    co_await (provider.stream(request, std::move(sink)) || wait_for(trigger, cancelled_at));
    co_return std::chrono::steady_clock::now();
}

}  // namespace

TEST_CASE("openai: streamed text is reassembled byte for byte, usage reported", "[providers]") {
    FakeModelServer server;
    Script script;
    // "héllo wörld €" cut inside its multi-byte characters.
    script.explicit_chunks = {"h\xC3", "\xA9llo w\xC3", "\xB6rld \xE2", "\x82", "\xAC"};
    script.usage = parley::testing::Usage{.prompt_tokens = 12, .completion_tokens = 5};
    server.enqueue(script);
    asio::io_context io;
    HttpClient http(io.get_executor());
    OpenAiProvider provider(openai_config(server), http);
    RecordedStream recorded;

    const auto outcome = run_io(io, call(provider, user_request("hi"), recorded));
    INFO((outcome.error ? outcome.error->message : std::string()));
    REQUIRE_FALSE(outcome.error);
    CHECK(recorded.text() == "h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC");
    CHECK(outcome.finish_reason == FinishReason::stop);
    CHECK(outcome.usage.input_tokens == 12);
    CHECK(outcome.usage.output_tokens == 5);
    CHECK(recorded.usage_reports() == 1);
    CHECK(outcome.provider == "fake-openai");

    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].target == "/v1/chat/completions");
    CHECK(requests[0].headers.at("authorization") == "Bearer sk-test-secret");
    const auto body = boost::json::parse(requests[0].body).as_object();
    CHECK(body.at("stream").as_bool());
    CHECK(body.at("stream_options").at("include_usage").as_bool());
}

TEST_CASE("openai: tool-call argument fragments are assembled by index", "[providers]") {
    FakeModelServer server;
    Script script;
    script.text = "Let me check.";
    ToolCallScript weather;
    weather.id = "call_a";
    weather.name = "get_weather";
    weather.arguments = R"({"city":"Paris"})";
    weather.explicit_fragments = {R"({"ci)", R"(ty":"Pa)", R"(ris"})"};
    ToolCallScript time;
    time.id = "call_b";
    time.name = "get_time";
    time.arguments = R"({"tz":"Europe/Paris"})";
    time.fragments = 4;
    script.tool_calls = {weather, time};
    server.enqueue(script);
    asio::io_context io;
    HttpClient http(io.get_executor());
    OpenAiProvider provider(openai_config(server), http);
    RecordedStream recorded;

    const auto outcome = run_io(io, call(provider, user_request("weather?"), recorded));
    REQUIRE_FALSE(outcome.error);
    CHECK(outcome.finish_reason == FinishReason::tool_calls);
    CHECK(recorded.text() == "Let me check.");
    REQUIRE(recorded.tool_calls().size() == 2);
    CHECK(recorded.tool_calls()[0].id == "call_a");
    CHECK(recorded.tool_calls()[0].name == "get_weather");
    CHECK(recorded.tool_calls()[0].arguments_json == R"({"city":"Paris"})");
    CHECK(recorded.tool_calls()[1].name == "get_time");
    CHECK(recorded.tool_calls()[1].arguments_json == R"({"tz":"Europe/Paris"})");
    CHECK(recorded.tool_call_finished(0));
    CHECK(recorded.tool_call_finished(1));
    CHECK(recorded.fragments() >= 5);
}

TEST_CASE("openai: finish reason length maps to max_tokens", "[providers]") {
    FakeModelServer server;
    Script script;
    script.finish_reason = "length";
    server.enqueue(script);
    asio::io_context io;
    HttpClient http(io.get_executor());
    OpenAiProvider provider(openai_config(server), http);
    RecordedStream recorded;
    const auto outcome = run_io(io, call(provider, user_request("hi"), recorded));
    REQUIRE_FALSE(outcome.error);
    CHECK(outcome.finish_reason == FinishReason::max_tokens);
}

TEST_CASE("openai: a connection dropped mid-stream is an error, not a clean finish", "[providers]") {
    FakeModelServer server;
    Script script;
    script.text = "one two three four five";
    script.drop_after_chunks = 2;
    server.enqueue(script);
    asio::io_context io;
    HttpClient http(io.get_executor());
    OpenAiProvider provider(openai_config(server), http);
    RecordedStream recorded;
    const auto outcome = run_io(io, call(provider, user_request("hi"), recorded));
    REQUIRE(outcome.error);
    CHECK(outcome.error->kind == ProviderErrorKind::network);
    CHECK(outcome.error->after_first_delta);
    CHECK(recorded.text() == "one two");
}

TEST_CASE("openai: a hanging stream hits the idle timeout", "[providers]") {
    FakeModelServer server;
    Script script;
    script.hang_after_chunks = 1;
    server.enqueue(script);
    asio::io_context io;
    HttpClient http(io.get_executor());
    auto config = openai_config(server);
    config.idle_timeout_seconds = 1;
    OpenAiProvider provider(config, http);
    RecordedStream recorded;
    const auto outcome = run_io(io, call(provider, user_request("hi there"), recorded));
    REQUIRE(outcome.error);
    CHECK(outcome.error->kind == ProviderErrorKind::timeout);
    CHECK(outcome.error->after_first_delta);
}

TEST_CASE("openai: an upstream error status is typed", "[providers]") {
    FakeModelServer server;
    Script script;
    script.status = 401;
    server.enqueue(script);
    Script limited;
    limited.status = 429;
    limited.retry_after = "2";
    server.enqueue(limited);
    asio::io_context io;
    HttpClient http(io.get_executor());
    OpenAiProvider provider(openai_config(server), http);
    RecordedStream recorded;
    auto outcome = run_io(io, call(provider, user_request("hi"), recorded));
    REQUIRE(outcome.error);
    CHECK(outcome.error->kind == ProviderErrorKind::client);
    CHECK(outcome.error->status == 401);
    outcome = run_io(io, call(provider, user_request("hi"), recorded));
    REQUIRE(outcome.error);
    CHECK(outcome.error->kind == ProviderErrorKind::rate_limited);
    CHECK(outcome.error->retry_after == std::chrono::milliseconds(2000));
}

TEST_CASE("openai: cancellation mid-stream closes the upstream connection within 50 ms", "[providers]") {
    FakeModelServer server;
    Script script;
    script.text = "one two three four five six seven eight nine ten";
    script.delay_per_chunk = 50ms;
    server.enqueue(script);
    asio::io_context io;
    HttpClient http(io.get_executor());
    OpenAiProvider provider(openai_config(server), http);
    RecordedStream recorded;
    std::chrono::steady_clock::time_point cancelled_at;
    const auto returned_at = run_io(io, call_until_cancelled(provider, user_request("hi"), recorded, cancelled_at));
    const auto reaction = std::chrono::duration<double, std::milli>(returned_at - cancelled_at).count();
    WARN("provider stream returned " << reaction << " ms after cancellation");
    CHECK(reaction < 500);
    const auto closed_by = std::chrono::steady_clock::now();
    CHECK(server.wait_for_active_connections(0, 2000ms));
    const auto close_seen = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - closed_by);
    WARN("server saw the close " << close_seen.count() << " ms later");
    CHECK(recorded.text().size() < std::string("one two three four five six seven eight nine ten").size());
}

TEST_CASE("openai: an answer nobody streams is asked for whole and gives the same events", "[providers]") {
    FakeModelServer server;
    Script script;
    script.text = "Let me check.";
    ToolCallScript weather;
    weather.id = "call_a";
    weather.name = "get_weather";
    weather.arguments = R"({"city":"Paris"})";
    ToolCallScript time;
    time.id = "call_b";
    time.name = "get_time";
    time.arguments = R"({"tz":"Europe/Paris"})";
    script.tool_calls = {weather, time};
    script.usage = parley::testing::Usage{.prompt_tokens = 9, .completion_tokens = 6};
    server.enqueue(script);
    asio::io_context io;
    HttpClient http(io.get_executor());
    OpenAiProvider provider(openai_config(server), http);
    RecordedStream recorded;
    auto request = user_request("weather?");
    request.stream = false;

    const auto outcome = run_io(io, call(provider, request, recorded));
    INFO((outcome.error ? outcome.error->message : std::string()));
    REQUIRE_FALSE(outcome.error);
    CHECK(outcome.finish_reason == FinishReason::tool_calls);
    CHECK(outcome.usage.input_tokens == 9);
    CHECK(outcome.usage.output_tokens == 6);
    CHECK(recorded.text() == "Let me check.");
    REQUIRE(recorded.tool_calls().size() == 2);
    CHECK(recorded.tool_calls()[0].arguments_json == R"({"city":"Paris"})");
    CHECK(recorded.tool_calls()[1].id == "call_b");
    CHECK(recorded.tool_call_finished(1));

    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].headers.at("accept") == "application/json");
    const auto body = boost::json::parse(requests[0].body).as_object();
    CHECK_FALSE(body.contains("stream"));
}

TEST_CASE("openai: a whole answer cut short is a retryable network error with nothing delivered", "[providers]") {
    FakeModelServer server;
    Script script;
    script.text = "one two three";
    script.drop_after_chunks = 1;
    server.enqueue(script);
    asio::io_context io;
    HttpClient http(io.get_executor());
    OpenAiProvider provider(openai_config(server), http);
    RecordedStream recorded;
    auto request = user_request("hi");
    request.stream = false;
    const auto outcome = run_io(io, call(provider, request, recorded));
    REQUIRE(outcome.error);
    CHECK(outcome.error->kind == ProviderErrorKind::network);
    CHECK_FALSE(outcome.error->after_first_delta);
    CHECK(recorded.text().empty());
}

TEST_CASE("openai: a whole answer is bounded by the total timeout, not the first-byte one", "[providers]") {
    FakeModelServer server;
    Script slow;
    slow.text = "finally";
    slow.first_byte_delay = 1500ms;
    server.enqueue(slow);
    server.enqueue(slow);
    asio::io_context io;
    HttpClient http(io.get_executor());
    auto config = openai_config(server);
    config.first_byte_timeout_seconds = 1;
    config.request_timeout_seconds = 10;
    OpenAiProvider provider(config, http);
    RecordedStream recorded;
    auto request = user_request("take your time");

    // Silent for longer than the first-byte timeout while the model "generates".
    request.stream = false;
    const auto whole = run_io(io, call(provider, request, recorded));
    INFO((whole.error ? whole.error->message : std::string()));
    REQUIRE_FALSE(whole.error);
    CHECK(recorded.text() == "finally");

    // Streamed, the same silence is a first-byte timeout.
    request.stream = true;
    RecordedStream streamed;
    const auto timed_out = run_io(io, call(provider, request, streamed));
    REQUIRE(timed_out.error);
    CHECK(timed_out.error->kind == ProviderErrorKind::timeout);
}
