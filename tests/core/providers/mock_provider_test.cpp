#include "core/providers/mock_provider.hpp"

#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include "tests/core/providers/provider_test_support.hpp"
#include "tests/core/run_io.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace parley::core;
using parley::core::test::RecordedStream;
using parley::core::test::run_io;
using parley::core::test::user_request;

namespace {

ProviderConfig mock_config(double tokens_per_second) {
    ProviderConfig config;
    config.name = "demo";
    config.kind = ProviderKind::mock;
    config.tokens_per_second = tokens_per_second;
    return config;
}

asio::awaitable<ModelOutcome> call(Provider& provider, ModelRequest request, RecordedStream& recorded) {
    co_return co_await provider.stream(request, recorded.sink());
}

asio::awaitable<void> stop_after(std::chrono::milliseconds delay) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<std::optional<ModelOutcome>> call_with_deadline(Provider& provider, ModelRequest request,
                                                                RecordedStream& recorded,
                                                                std::chrono::milliseconds deadline) {
    using namespace asio::experimental::awaitable_operators;
    auto result = co_await (provider.stream(request, recorded.sink()) || stop_after(deadline));
    if (result.index() == 0) {
        co_return std::get<0>(std::move(result));
    }
    co_return std::nullopt;
}

}  // namespace

TEST_CASE("mock: echoes the last user message a word at a time", "[providers]") {
    asio::io_context io;
    MockProvider provider(mock_config(0));
    RecordedStream recorded;
    auto request = user_request("first message");
    request.messages.push_back(ChatMessage{.role = ChatRole::assistant, .content = "echo: first message"});
    request.messages.push_back(ChatMessage{.role = ChatRole::user, .content = "hello  wide\nworld"});
    const auto outcome = run_io(io, call(provider, request, recorded));
    REQUIRE_FALSE(outcome.error);
    CHECK(recorded.text() == "echo: hello  wide\nworld");
    CHECK(recorded.text_deltas() == 4);  // "echo:", " hello", "  wide", "\nworld"
    CHECK(outcome.finish_reason == FinishReason::stop);
    CHECK(outcome.usage.output_tokens == 4);
    CHECK(outcome.provider == "demo");
}

TEST_CASE("mock: /tool NAME {json} calls the tool, and a tool result is echoed back", "[providers]") {
    asio::io_context io;
    MockProvider provider(mock_config(0));
    RecordedStream recorded;
    auto request = user_request(R"(/tool get_weather {"city": "Paris"})");
    auto outcome = run_io(io, call(provider, request, recorded));
    REQUIRE_FALSE(outcome.error);
    CHECK(outcome.finish_reason == FinishReason::tool_calls);
    REQUIRE(recorded.tool_calls().size() == 1);
    const auto call_made = recorded.tool_calls()[0];
    CHECK(call_made.name == "get_weather");
    CHECK(call_made.arguments_json == R"({"city": "Paris"})");
    CHECK(recorded.tool_call_finished(0));
    CHECK(recorded.text().empty());

    request.messages.push_back(ChatMessage{.role = ChatRole::assistant, .tool_calls = {call_made}});
    request.messages.push_back(ChatMessage{
        .role = ChatRole::tool, .content = "sunny, 21 C", .tool_call_id = call_made.id, .tool_name = "get_weather"});
    RecordedStream reply;
    outcome = run_io(io, call(provider, request, reply));
    REQUIRE_FALSE(outcome.error);
    CHECK(outcome.finish_reason == FinishReason::stop);
    CHECK(reply.text() == "tool said: sunny, 21 C");
}

TEST_CASE("mock: tokens_per_second paces the words and the stream is cancellable", "[providers]") {
    asio::io_context io;
    MockProvider provider(mock_config(100));  // 10 ms per word
    RecordedStream recorded;
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = run_io(io, call(provider, user_request("a b c d e f g h i"), recorded));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    REQUIRE_FALSE(outcome.error);
    CHECK(recorded.text_deltas() == 10);
    CHECK(elapsed >= 95ms);

    MockProvider slow(mock_config(10));  // 100 ms per word
    RecordedStream partial;
    const auto cancel_started = std::chrono::steady_clock::now();
    const auto cancelled = run_io(io, call_with_deadline(slow, user_request("a b c d e f g h i"), partial, 250ms));
    CHECK_FALSE(cancelled);
    CHECK(std::chrono::steady_clock::now() - cancel_started < 400ms);
    CHECK(partial.text_deltas() == 2);
}

TEST_CASE("mock: word pieces concatenate to the text", "[providers]") {
    const std::string text = "  leading and trailing  ";
    std::string joined;
    for (const auto piece : MockProvider::split_words(text)) {
        joined += piece;
    }
    CHECK(joined == text);
    CHECK(MockProvider::split_words("one").size() == 1);
}
