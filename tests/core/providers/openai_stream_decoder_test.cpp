#include "core/providers/openai_stream_decoder.hpp"

#include <catch2/catch.hpp>

#include "tests/core/providers/provider_test_support.hpp"

using namespace parley::core;
using parley::core::test::RecordedStream;

namespace {

std::optional<ProviderError> feed(OpenAiStreamDecoder& decoder, std::string_view data) {
    return decoder.on_event(SseEvent{.event = "message", .data = data, .id = {}});
}

}  // namespace

TEST_CASE("openai decoder: unknown fields and null values are skipped", "[providers]") {
    RecordedStream recorded;
    OpenAiStreamDecoder decoder(recorded.sink());
    CHECK_FALSE(feed(
        decoder,
        R"({"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":"hmm"},"logprobs":null,"finish_reason":null}],"usage":null})"));
    CHECK_FALSE(feed(
        decoder,
        R"({"choices":[{"index":0,"delta":{"content":"Hi \u00e9\n"},"finish_reason":null}],"system_fingerprint":"fp"})"));
    CHECK_FALSE(feed(decoder, R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"));
    CHECK(decoder.finished());
    CHECK_FALSE(decoder.done());
    CHECK_FALSE(feed(decoder, R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}})"));
    CHECK_FALSE(feed(decoder, "[DONE]"));
    CHECK(decoder.done());
    CHECK(recorded.text() == "Hi \xC3\xA9\n");
    CHECK(decoder.usage().input_tokens == 3);
    CHECK(decoder.usage().output_tokens == 2);
}

TEST_CASE("openai decoder: bad JSON and error objects are errors", "[providers]") {
    RecordedStream recorded;
    OpenAiStreamDecoder decoder(recorded.sink());
    auto error = feed(decoder, R"({"choices":[{"delta":)");
    REQUIRE(error);
    CHECK(error->kind == ProviderErrorKind::protocol);
    error = feed(decoder, R"({"error":{"message":"model overloaded","type":"server_error"}})");
    REQUIRE(error);
    CHECK(error->kind == ProviderErrorKind::server);
    CHECK(error->message.find("model overloaded") != std::string::npos);
}

TEST_CASE("openai decoder: a whole chat.completion decodes into the same events", "[providers]") {
    RecordedStream recorded;
    OpenAiStreamDecoder decoder(recorded.sink());
    // Tool calls of a whole answer carry no index: their position is theirs.
    CHECK_FALSE(decoder.on_completion(
        R"({"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Checking.","refusal":null,"tool_calls":[{"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},{"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":7,"completion_tokens":4,"total_tokens":11}})"));
    CHECK(decoder.done());
    CHECK(decoder.finished());
    CHECK(decoder.finish_reason() == FinishReason::tool_calls);
    CHECK(recorded.text() == "Checking.");
    REQUIRE(recorded.tool_calls().size() == 2);
    CHECK(recorded.tool_calls()[0].id == "call_a");
    CHECK(recorded.tool_calls()[0].arguments_json == R"({"city":"Oslo"})");
    CHECK(recorded.tool_calls()[1].name == "get_time");
    CHECK(recorded.tool_call_finished(1));
    CHECK(decoder.usage().input_tokens == 7);
    CHECK(decoder.usage().output_tokens == 4);
}

TEST_CASE("openai decoder: a whole answer with null content or no finish reason", "[providers]") {
    RecordedStream recorded;
    OpenAiStreamDecoder decoder(recorded.sink());
    CHECK_FALSE(decoder.on_completion(R"({"choices":[{"index":0,"message":{"role":"assistant","content":null}}]})"));
    CHECK(decoder.done());
    CHECK_FALSE(decoder.finished());  // run_json_exchange turns this into a protocol error
    CHECK(recorded.text().empty());

    OpenAiStreamDecoder failing(recorded.sink());
    const auto error = failing.on_completion(R"({"error":{"message":"no such model"}})");
    REQUIRE(error);
    CHECK(error->kind == ProviderErrorKind::server);
    CHECK(error->message.find("no such model") != std::string::npos);
}
