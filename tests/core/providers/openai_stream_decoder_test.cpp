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
