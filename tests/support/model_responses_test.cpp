#include "tests/support/model_responses.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace parley::testing {
namespace {

namespace json = boost::json;

[[nodiscard]] std::string joined(const std::vector<std::string>& pieces) {
    std::string text;
    for (const auto& piece : pieces) {
        text += piece;
    }
    return text;
}

}  // namespace

TEST_CASE("split_words keeps the whitespace with the word that follows it", "[support]") {
    CHECK(split_words("echo: hello  world") == std::vector<std::string>{"echo:", " hello", "  world"});
    CHECK(split_words(" leading") == std::vector<std::string>{" leading"});
    CHECK(split_words("trailing ") == std::vector<std::string>{"trailing", " "});
    CHECK(split_words("").empty());
}

TEST_CASE("split_even cuts only between UTF-8 characters", "[support]") {
    const std::string text = "añb€c😀d";
    for (std::size_t count = 1; count <= 10; ++count) {
        const auto pieces = split_even(text, count);
        CHECK(joined(pieces) == text);
        CHECK(pieces.size() == std::min<std::size_t>(count, 7));
        for (const auto& piece : pieces) {
            // Valid UTF-8 on its own: Boost.JSON rejects invalid UTF-8 by default.
            CHECK_NOTHROW(json::parse(json::serialize(json::value(piece))));
        }
    }
    CHECK(split_even("", 3).empty());
}

TEST_CASE("text_pieces prefers explicit chunks then text then the echo", "[support]") {
    ChatRequest request;
    request.last_user_text = "hi you";
    Script script;
    CHECK(text_pieces(script, request) == std::vector<std::string>{"echo:", " hi", " you"});
    script.text = "abcdef";
    script.chunks = 3;
    CHECK(text_pieces(script, request) == std::vector<std::string>{"ab", "cd", "ef"});
    script.explicit_chunks = {"x", "y"};
    CHECK(text_pieces(script, request) == std::vector<std::string>{"x", "y"});
}

TEST_CASE("parse_chat_request reads both APIs and rejects what is not a chat request", "[support]") {
    const auto openai =
        parse_chat_request(Route::openai,
                           R"({"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[
            {"role":"system","content":"be nice"},{"role":"user","content":"first"},
            {"role":"assistant","content":"ok"},{"role":"user","content":[{"type":"text","text":"second one"}]}]})");
    REQUIRE(openai.request);
    CHECK(openai.request->model == "m");
    CHECK(openai.request->stream);
    CHECK(openai.request->include_usage);
    CHECK(openai.request->last_user_text == "second one");
    CHECK(openai.request->prompt_words == 6);

    const auto anthropic = parse_chat_request(
        Route::anthropic,
        R"({"model":"c","system":"sys prompt","max_tokens":5,"messages":[{"role":"user","content":"q"}]})");
    REQUIRE(anthropic.request);
    CHECK_FALSE(anthropic.request->stream);
    CHECK(anthropic.request->prompt_words == 3);

    for (const auto* body : {"", "null", "{", R"({"messages":{}})", R"({"messages":[{"role":1}]})",
                             R"({"messages":[],"stream_options":[]})"}) {
        const auto rejected = parse_chat_request(Route::openai, body);
        CHECK_FALSE(rejected.request);
        CHECK_FALSE(rejected.error.empty());
    }
}

TEST_CASE("Scripts survive the JSON round trip", "[support]") {
    Script script;
    script.route = Route::anthropic;
    script.text = "hello";
    script.chunks = 2;
    script.explicit_chunks = {"a", "\xC3"};
    script.tool_calls = {ToolCallScript{"id1", "tool", R"({"a":1})", 5, {"{", "}"}}};
    script.delay_per_chunk = std::chrono::milliseconds(7);
    script.first_byte_delay = std::chrono::milliseconds(9);
    script.usage = Usage{3, 4};
    script.finish_reason = "length";
    script.status = 503;
    script.error_body = "down";
    script.retry_after = "10";
    script.drop_after_chunks = 1;
    script.hang_after_chunks = 2;
    script.hang_before_headers = true;
    script.stamp_pieces = true;

    json::parse_options options;
    options.allow_invalid_utf8 = true;
    const auto parsed = scripts_from_json(json::parse(json::serialize(script_to_json(script)), {}, options));
    REQUIRE(parsed.ok());
    REQUIRE(parsed.scripts.size() == 1);
    const auto& back = parsed.scripts.front();
    CHECK(back.route == Route::anthropic);
    CHECK(back.text == "hello");
    CHECK(back.chunks == 2);
    CHECK(back.explicit_chunks == script.explicit_chunks);
    REQUIRE(back.tool_calls.size() == 1);
    CHECK(back.tool_calls[0].id == "id1");
    CHECK(back.tool_calls[0].arguments == R"({"a":1})");
    CHECK(back.tool_calls[0].fragments == 5);
    CHECK(back.tool_calls[0].explicit_fragments == std::vector<std::string>{"{", "}"});
    CHECK(back.delay_per_chunk == std::chrono::milliseconds(7));
    CHECK(back.first_byte_delay == std::chrono::milliseconds(9));
    REQUIRE(back.usage);
    CHECK(back.usage->completion_tokens == 4);
    CHECK(back.finish_reason == "length");
    CHECK(back.status == 503);
    CHECK(back.error_body == "down");
    CHECK(back.retry_after == "10");
    CHECK(back.drop_after_chunks == std::optional<std::size_t>(1));
    CHECK(back.hang_after_chunks == std::optional<std::size_t>(2));
    CHECK(back.hang_before_headers);
    CHECK(back.stamp_pieces);

    CHECK_FALSE(scripts_from_json(json::parse(R"({"status":42})")).ok());
    CHECK_FALSE(scripts_from_json(json::parse(R"({"tool_calls":[{"arguments":"{}"}]})")).ok());
    CHECK_FALSE(scripts_from_json(json::parse(R"([{"text":"ok"},{"route":"gemini"}])")).ok());
    CHECK(scripts_from_json(json::parse(R"({"route":"any","text":null})")).scripts.front().route == std::nullopt);
}

TEST_CASE("Error bodies take each API's shape", "[support]") {
    const auto openai = error_response(Route::openai, 429, "slow down");
    CHECK(openai.at("error").at("type").as_string() == "rate_limit_error");
    CHECK(openai.at("error").at("message").as_string() == "slow down");
    const auto anthropic = error_response(Route::anthropic, 529, "busy");
    CHECK(anthropic.at("type").as_string() == "error");
    CHECK(anthropic.at("error").at("type").as_string() == "overloaded_error");
    CHECK(error_response(Route::anthropic, 500, "x").at("error").at("type").as_string() == "api_error");
}

TEST_CASE("format_sse stamps each event and names Anthropic events", "[support]") {
    StreamEvent named;
    named.name = "ping";
    named.data = {{"type", "ping"}};
    CHECK(format_sse(named, 42) == "event: ping\ndata: {\"type\":\"ping\",\"x_fake_sent_ns\":42}\n\n");
    StreamEvent done;
    done.done_marker = true;
    CHECK(format_sse(done, 1) == "data: [DONE]\n\n");
}

TEST_CASE("stamp_piece_text prefixes text pieces of both APIs and nothing else", "[support]") {
    Script script;
    script.text = "a b";
    script.tool_calls = {ToolCallScript{"id1", "tool", R"({"a":1})", 2, {}}};
    ChatRequest request;

    request.route = Route::openai;
    std::vector<std::string> openai_texts;
    std::size_t stamped_pieces = 0;
    for (auto event : stream_events(script, request, 1)) {
        const auto before = event.data;
        stamp_piece_text(event, 123);
        if (event.data == before) {
            continue;
        }
        ++stamped_pieces;
        openai_texts.emplace_back(event.data.at("choices").at(0).at("delta").at("content").as_string());
    }
    CHECK(stamped_pieces == 2);  // the two words; neither the role chunk nor the argument fragments
    CHECK(openai_texts == std::vector<std::string>{"123 a", "123  b"});

    request.route = Route::anthropic;
    std::vector<std::string> anthropic_texts;
    for (auto event : stream_events(script, request, 1)) {
        const auto before = event.data;
        stamp_piece_text(event, 7);
        if (event.data != before) {
            anthropic_texts.emplace_back(event.data.at("delta").at("text").as_string());
        }
    }
    CHECK(anthropic_texts == std::vector<std::string>{"7 a", "7  b"});
}

}  // namespace parley::testing
