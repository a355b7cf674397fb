#include "tests/support/fake_model_server.hpp"

#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/beast/core/error.hpp>
#include <boost/json.hpp>
#include <boost/system/system_error.hpp>
#include <catch2/catch.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/test_certificates.hpp"

namespace parley::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr auto kChat = "/v1/chat/completions";
constexpr auto kMessages = "/v1/messages";

[[nodiscard]] std::string chat_body(std::string_view content, bool stream, bool include_usage = false) {
    json::object body{{"model", "gpt-test"},
                      {"messages", json::array{json::object{{"role", "system"}, {"content", "be brief"}},
                                               json::object{{"role", "user"}, {"content", content}}}},
                      {"stream", stream}};
    if (include_usage) {
        body["stream_options"] = {{"include_usage", true}};
    }
    return json::serialize(body);
}

[[nodiscard]] std::string messages_body(std::string_view content, bool stream) {
    return json::serialize(json::object{{"model", "claude-test"},
                                        {"max_tokens", 64},
                                        {"messages", json::array{json::object{{"role", "user"}, {"content", content}}}},
                                        {"stream", stream}});
}

// Event data as JSON; raw byte pieces may hold half a UTF-8 character.
[[nodiscard]] json::value parse_data(std::string_view data) {
    json::parse_options options;
    options.allow_invalid_utf8 = true;
    return json::parse(data, {}, options);
}

[[nodiscard]] std::string as_string(const json::value& value) {
    return {value.as_string().data(), value.as_string().size()};
}

// Every OpenAI chunk but the [DONE] marker, parsed.
[[nodiscard]] std::vector<json::object> openai_chunks(const SseCapture& capture) {
    std::vector<json::object> chunks;
    for (const auto& event : capture.events) {
        if (event.data != "[DONE]") {
            chunks.push_back(parse_data(event.data).as_object());
        }
    }
    return chunks;
}

[[nodiscard]] std::string openai_text(const std::vector<json::object>& chunks) {
    std::string text;
    for (const auto& chunk : chunks) {
        for (const auto& choice : chunk.at("choices").as_array()) {
            const auto* content = choice.at("delta").as_object().if_contains("content");
            if (content != nullptr && content->is_string()) {
                text += as_string(*content);
            }
        }
    }
    return text;
}

[[nodiscard]] std::vector<std::string> openai_pieces(const std::vector<json::object>& chunks) {
    std::vector<std::string> pieces;
    for (const auto& chunk : chunks) {
        for (const auto& choice : chunk.at("choices").as_array()) {
            const auto* content = choice.at("delta").as_object().if_contains("content");
            if (content != nullptr && content->is_string() && !content->as_string().empty()) {
                pieces.push_back(as_string(*content));
            }
        }
    }
    return pieces;
}

[[nodiscard]] std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

[[nodiscard]] std::int64_t stamp_of(const json::object& object) {
    return object.at(kSentStampField).as_int64();
}

Script text_script(std::string text, std::size_t chunks) {
    Script script;
    script.text = std::move(text);
    script.chunks = chunks;
    return script;
}

}  // namespace

TEST_CASE("OpenAI stream: deltas concatenate to the text even across a split UTF-8 character", "[support]") {
    FakeModelServer server;
    Script script;
    script.explicit_chunks = {"caf", "\xC3", "\xA9 au lait"};  // é split between two chunks
    server.enqueue(script);
    HttpClient client(server.port());

    const auto before = now_ns();
    const auto capture = client.stream("POST", kChat, chat_body("a coffee", true));
    const auto after = now_ns();

    REQUIRE(capture.head.status == 200);
    CHECK(capture.head.header("content-type") == "text/event-stream");
    CHECK(capture.end == StreamStatus::finished);
    REQUIRE_FALSE(capture.events.empty());
    CHECK(capture.events.back().data == "[DONE]");

    const auto chunks = openai_chunks(capture);
    CHECK(openai_text(chunks) == "caf\xC3\xA9 au lait");
    CHECK(openai_pieces(chunks) == script.explicit_chunks);
    std::int64_t previous = before;
    for (const auto& chunk : chunks) {
        CHECK(chunk.at("object").as_string() == "chat.completion.chunk");
        CHECK(chunk.at("model").as_string() == "gpt-test");
        CHECK_FALSE(chunk.contains("usage"));  // no include_usage: no usage field, no usage chunk
        REQUIRE(chunk.at("choices").as_array().size() == 1);
        const auto stamp = stamp_of(chunk);
        CHECK(stamp >= previous);
        CHECK(stamp <= after);
        previous = stamp;
    }
    const auto& first = chunks.front().at("choices").as_array().front().as_object();
    CHECK(first.at("delta").at("role").as_string() == "assistant");
    const auto& last = chunks.back().at("choices").as_array().front().as_object();
    CHECK(last.at("finish_reason").as_string() == "stop");
}

TEST_CASE("OpenAI stream: chunks splits the text on UTF-8 boundaries", "[support]") {
    FakeModelServer server;
    server.enqueue(text_script("héllo wörld ✓", 5));
    HttpClient client(server.port());
    const auto capture = client.stream("POST", kChat, chat_body("hi", true));
    REQUIRE(capture.end == StreamStatus::finished);
    for (const auto& event : capture.events) {
        // Without allow_invalid_utf8: every piece is valid UTF-8 on its own.
        CHECK_NOTHROW(json::parse(event.data == "[DONE]" ? std::string("{}") : event.data));
    }
    const auto chunks = openai_chunks(capture);
    CHECK(openai_pieces(chunks).size() == 5);
    CHECK(openai_text(chunks) == "héllo wörld ✓");
}

TEST_CASE("Default script echoes the last user message one word at a time", "[support]") {
    FakeModelServer server;
    HttpClient client(server.port());
    const auto capture = client.stream("POST", kChat, chat_body("hello big world", true));
    const auto chunks = openai_chunks(capture);
    CHECK(openai_pieces(chunks) == std::vector<std::string>{"echo:", " hello", " big", " world"});

    server.set_default_script(text_script("fixed reply", 0));
    const auto fixed = client.stream("POST", kChat, chat_body("anything", true));
    CHECK(openai_text(openai_chunks(fixed)) == "fixed reply");
}

TEST_CASE("OpenAI stream: tool-call argument fragments concatenate to the arguments", "[support]") {
    FakeModelServer server;
    Script script;
    script.text = "";
    const std::string weather_arguments = R"({"city":"Paris","unit":"celsius"})";
    const std::string time_arguments = R"({"zone":"Europe/Paris"})";
    script.tool_calls = {ToolCallScript{"call_weather", "get_weather", weather_arguments, 4, {}},
                         ToolCallScript{"", "get_time", time_arguments, 1, {R"({"zone":)", R"("Europe/Paris"})"}}};
    server.enqueue(script);
    HttpClient client(server.port());
    const auto capture = client.stream("POST", kChat, chat_body("weather?", true));
    REQUIRE(capture.end == StreamStatus::finished);

    std::vector<std::string> ids(2);
    std::vector<std::string> names(2);
    std::vector<std::string> arguments(2);
    std::vector<int> fragments(2, 0);
    std::string finish_reason;
    for (const auto& chunk : openai_chunks(capture)) {
        const auto& choice = chunk.at("choices").as_array().front().as_object();
        if (choice.at("finish_reason").is_string()) {
            finish_reason = as_string(choice.at("finish_reason"));
        }
        const auto* calls = choice.at("delta").as_object().if_contains("tool_calls");
        if (calls == nullptr) {
            continue;
        }
        for (const auto& call : calls->as_array()) {
            const auto index = static_cast<std::size_t>(call.at("index").to_number<std::int64_t>());
            REQUIRE(index < 2);
            if (const auto* id = call.as_object().if_contains("id")) {
                ids[index] = as_string(*id);
                CHECK(call.at("type").as_string() == "function");
                names[index] = as_string(call.at("function").at("name"));
            }
            const auto piece = as_string(call.at("function").at("arguments"));
            if (!piece.empty()) {
                ++fragments[index];
            }
            arguments[index] += piece;
        }
    }
    CHECK(ids[0] == "call_weather");
    CHECK(ids[1].starts_with("call_"));
    CHECK(names == std::vector<std::string>{"get_weather", "get_time"});
    CHECK(arguments == std::vector<std::string>{weather_arguments, time_arguments});
    CHECK(fragments == std::vector<int>{4, 2});
    CHECK(finish_reason == "tool_calls");
}

TEST_CASE("OpenAI stream: a usage chunk only when include_usage and DONE last", "[support]") {
    FakeModelServer server;
    Script script = text_script("one two three", 0);
    script.usage = Usage{11, 7};
    server.enqueue(script);
    server.enqueue(script);
    HttpClient client(server.port());

    const auto with_usage = client.stream("POST", kChat, chat_body("count", true, true));
    REQUIRE(with_usage.events.size() >= 3);
    CHECK(with_usage.events.back().data == "[DONE]");
    const auto usage_chunk = parse_data(with_usage.events[with_usage.events.size() - 2].data).as_object();
    CHECK(usage_chunk.at("choices").as_array().empty());
    CHECK(usage_chunk.at("usage").at("prompt_tokens").to_number<int>() == 11);
    CHECK(usage_chunk.at("usage").at("completion_tokens").to_number<int>() == 7);
    CHECK(usage_chunk.at("usage").at("total_tokens").to_number<int>() == 18);
    const auto chunks = openai_chunks(with_usage);
    const auto usage_chunks = std::count_if(chunks.begin(), chunks.end(),
                                            [](const json::object& c) { return c.at("choices").as_array().empty(); });
    CHECK(usage_chunks == 1);

    const auto without_usage = client.stream("POST", kChat, chat_body("count", true, false));
    CHECK(without_usage.events.back().data == "[DONE]");
    for (const auto& chunk : openai_chunks(without_usage)) {
        CHECK_FALSE(chunk.at("choices").as_array().empty());
        CHECK_FALSE(chunk.contains("usage"));
    }
}

TEST_CASE("OpenAI non-stream answer is a chat.completion object", "[support]") {
    FakeModelServer server;
    Script script = text_script("Hello there", 0);
    script.tool_calls = {ToolCallScript{"call_1", "lookup", R"({"q":"x"})", 2, {}}};
    server.enqueue(script);
    HttpClient client(server.port());
    const auto response = client.request("POST", kChat, chat_body("hi", false));
    REQUIRE(response.status == 200);
    CHECK(response.header("content-type") == "application/json");
    const auto body = json::parse(response.body).as_object();
    CHECK(body.at("object").as_string() == "chat.completion");
    const auto& choice = body.at("choices").as_array().front().as_object();
    CHECK(choice.at("message").at("content").as_string() == "Hello there");
    CHECK(choice.at("message").at("tool_calls").as_array().front().at("function").at("arguments").as_string() ==
          R"({"q":"x"})");
    CHECK(choice.at("finish_reason").as_string() == "tool_calls");
    CHECK(body.at("usage").at("total_tokens").to_number<int>() > 0);
}

TEST_CASE("Anthropic stream: the Messages event sequence", "[support]") {
    FakeModelServer server;
    Script script = text_script("Let me check.", 0);
    const std::string arguments = R"({"city":"Paris"})";
    script.tool_calls = {ToolCallScript{"toolu_1", "get_weather", arguments, 3, {}}};
    script.usage = Usage{9, 6};
    server.enqueue(script);
    HttpClient client(server.port());
    const auto capture = client.stream("POST", kMessages, messages_body("weather in Paris?", true));
    REQUIRE(capture.head.status == 200);
    REQUIRE(capture.end == StreamStatus::finished);

    std::vector<std::string> names;
    std::string text;
    std::string partial_json;
    std::string stop_reason;
    std::int64_t output_tokens = 0;
    for (const auto& event : capture.events) {
        names.push_back(event.event);
        const auto data = parse_data(event.data).as_object();
        CHECK(data.at("type").as_string() == event.event);
        CHECK(data.at(kSentStampField).is_int64());
        if (event.event == "message_start") {
            CHECK(data.at("message").at("role").as_string() == "assistant");
            CHECK(data.at("message").at("usage").at("input_tokens").to_number<int>() == 9);
        } else if (event.event == "content_block_start" && data.at("index").to_number<int>() == 1) {
            CHECK(data.at("content_block").at("type").as_string() == "tool_use");
            CHECK(data.at("content_block").at("id").as_string() == "toolu_1");
            CHECK(data.at("content_block").at("name").as_string() == "get_weather");
        } else if (event.event == "content_block_delta") {
            const auto& delta = data.at("delta").as_object();
            if (delta.at("type").as_string() == "text_delta") {
                text += as_string(delta.at("text"));
            } else {
                CHECK(delta.at("type").as_string() == "input_json_delta");
                partial_json += as_string(delta.at("partial_json"));
            }
        } else if (event.event == "message_delta") {
            stop_reason = as_string(data.at("delta").at("stop_reason"));
            output_tokens = data.at("usage").at("output_tokens").to_number<std::int64_t>();
        }
    }
    const std::vector<std::string> expected = {
        "message_start",       "content_block_start", "ping",
        "content_block_delta", "content_block_delta", "content_block_delta",  // "Let" " me" " check."
        "content_block_stop",  "content_block_start", "content_block_delta",
        "content_block_delta", "content_block_delta",  // three argument fragments
        "content_block_stop",  "message_delta",       "message_stop"};
    CHECK(names == expected);
    CHECK(text == "Let me check.");
    CHECK(partial_json == arguments);
    CHECK(stop_reason == "tool_use");
    CHECK(output_tokens == 6);
}

TEST_CASE("Anthropic non-stream answer is a Messages response", "[support]") {
    FakeModelServer server;
    HttpClient client(server.port());
    const auto response = client.request("POST", kMessages, messages_body("ping me", false));
    REQUIRE(response.status == 200);
    const auto body = json::parse(response.body).as_object();
    CHECK(body.at("type").as_string() == "message");
    CHECK(body.at("content").as_array().front().at("text").as_string() == "echo: ping me");
    CHECK(body.at("stop_reason").as_string() == "end_turn");
    CHECK(body.at("usage").at("input_tokens").to_number<int>() == 2);
}

TEST_CASE("Scripts keyed to a route answer only that route", "[support]") {
    FakeModelServer server;
    Script anthropic_only = text_script("for anthropic", 0);
    anthropic_only.route = Route::anthropic;
    server.enqueue(anthropic_only);
    server.enqueue(text_script("for anyone", 0));
    HttpClient client(server.port());

    const auto openai = json::parse(client.request("POST", kChat, chat_body("x", false)).body);
    CHECK(openai.at("choices").at(0).at("message").at("content").as_string() == "for anyone");
    const auto anthropic = json::parse(client.request("POST", kMessages, messages_body("x", false)).body);
    CHECK(anthropic.at("content").at(0).at("text").as_string() == "for anthropic");
    CHECK(server.pending_scripts() == 0);
}

TEST_CASE("An error script answers 429 with Retry-After and the next request succeeds", "[support]") {
    FakeModelServer server;
    Script limited;
    limited.status = 429;
    limited.retry_after = "2";
    server.enqueue(limited);
    Script anthropic_limited = limited;
    server.enqueue(anthropic_limited);
    HttpClient client(server.port());

    const auto response = client.request("POST", kChat, chat_body("hi", true));
    CHECK(response.status == 429);
    CHECK(response.header("Retry-After") == "2");
    const auto body = json::parse(response.body);
    CHECK(body.at("error").at("type").as_string() == "rate_limit_error");

    const auto anthropic = client.request("POST", kMessages, messages_body("hi", true));
    CHECK(anthropic.status == 429);
    CHECK(json::parse(anthropic.body).at("error").at("type").as_string() == "rate_limit_error");

    const auto retry = client.stream("POST", kChat, chat_body("hi", true));
    CHECK(retry.head.status == 200);
    CHECK(retry.end == StreamStatus::finished);
    CHECK(server.connections_accepted() == 1);  // errors keep the connection alive
}

TEST_CASE("An error script answers 500 with its own body", "[support]") {
    FakeModelServer server;
    Script failing;
    failing.status = 500;
    failing.error_body = R"({"error":{"message":"boom","type":"server_error"}})";
    server.enqueue(failing);
    HttpClient client(server.port());
    const auto capture = client.stream("POST", kChat, chat_body("hi", true));
    CHECK(capture.head.status == 500);
    CHECK(capture.head.body == failing.error_body);
    CHECK(capture.events.empty());
    CHECK(capture.head.header("retry-after").empty());
}

TEST_CASE("drop_after_chunks closes the connection mid-stream", "[support]") {
    FakeModelServer server;
    Script dropping = text_script("one two three four five", 0);
    dropping.drop_after_chunks = 2;
    server.enqueue(dropping);
    HttpClient client(server.port());

    const auto capture = client.stream("POST", kChat, chat_body("hi", true));
    CHECK(capture.head.status == 200);
    CHECK(capture.end == StreamStatus::closed);
    REQUIRE_FALSE(capture.events.empty());
    CHECK(capture.events.back().data != "[DONE]");
    CHECK(openai_pieces(openai_chunks(capture)) == std::vector<std::string>{"one", " two"});
    CHECK_FALSE(client.connected());

    // The client reconnects for the next request.
    CHECK(client.stream("POST", kChat, chat_body("hi", true)).end == StreamStatus::finished);
    CHECK(server.connections_accepted() == 2);
}

TEST_CASE("drop_after_chunks on a non-stream request closes without an answer", "[support]") {
    FakeModelServer server;
    Script dropping = text_script("never sent", 0);
    dropping.drop_after_chunks = 5;
    server.enqueue(dropping);
    HttpClient client(server.port());
    CHECK_THROWS_AS(client.request("POST", kMessages, messages_body("hi", false)), boost::system::system_error);
    CHECK(client.request("POST", kMessages, messages_body("hi", false)).status == 200);
}

TEST_CASE("drop_after_chunks on Anthropic stops before message_stop", "[support]") {
    FakeModelServer server;
    Script dropping = text_script("a b c", 0);
    dropping.drop_after_chunks = 3;  // every piece sent, then dropped before content_block_stop
    server.enqueue(dropping);
    HttpClient client(server.port());
    const auto capture = client.stream("POST", kMessages, messages_body("hi", true));
    CHECK(capture.end == StreamStatus::closed);
    REQUIRE_FALSE(capture.events.empty());
    CHECK(capture.events.back().event == "content_block_delta");
}

TEST_CASE("hang_after_chunks keeps the connection open until the client leaves", "[support]") {
    FakeModelServer server;
    Script hanging = text_script("one two three", 0);
    hanging.hang_after_chunks = 1;
    server.enqueue(hanging);
    HttpClient client(server.port());
    constexpr milliseconds kTimeout{300};
    client.set_timeout(kTimeout);

    const auto head = client.open_stream("POST", kChat, chat_body("hi", true));
    REQUIRE(head.status == 200);
    std::vector<std::string> pieces;
    const auto start = Clock::now();
    for (;;) {
        auto read = client.next_event();
        if (read.status != StreamStatus::event) {
            CHECK(read.status == StreamStatus::timed_out);
            break;
        }
        const auto chunk = parse_data(read.event.data).as_object();
        const auto text = openai_text({chunk});
        if (!text.empty()) {
            pieces.push_back(text);
        }
    }
    CHECK(Clock::now() - start >= kTimeout - milliseconds(50));
    CHECK(pieces == std::vector<std::string>{"one"});
    CHECK_FALSE(client.connected());
    // The client closed its side: the hanging server connection ends too.
    CHECK(server.wait_for_active_connections(0, milliseconds(5000)));
}

TEST_CASE("hang_before_headers makes the client time out", "[support]") {
    FakeModelServer server;
    Script hanging;
    hanging.hang_before_headers = true;
    server.enqueue(hanging);
    HttpClient client(server.port());
    client.set_timeout(milliseconds(200));
    const auto start = Clock::now();
    try {
        (void)client.request("POST", kChat, chat_body("hi", false));
        FAIL("the request should have timed out");
    } catch (const boost::system::system_error& error) {
        CHECK(error.code() == boost::beast::error::timeout);
    }
    CHECK(Clock::now() - start >= milliseconds(150));
    CHECK(server.request_count() == 1);
    CHECK(server.wait_for_active_connections(0, milliseconds(5000)));
}

TEST_CASE("Stopping the server ends a hanging stream", "[support]") {
    FakeModelServer server;
    Script hanging = text_script("one two", 0);
    hanging.hang_after_chunks = 1;
    server.enqueue(hanging);
    HttpClient client(server.port());
    REQUIRE(client.open_stream("POST", kChat, chat_body("hi", true)).status == 200);
    // Read up to the hang: role chunk and the first piece.
    REQUIRE(client.next_event().status == StreamStatus::event);
    REQUIRE(client.next_event().status == StreamStatus::event);
    auto stopper = std::async(std::launch::async, [&server] { server.stop(); });
    const auto read = client.next_event();
    stopper.get();
    CHECK(read.status == StreamStatus::closed);
}

TEST_CASE("first_byte_delay and delay_per_chunk pace the stream", "[support]") {
    FakeModelServer server;
    Script slow = text_script("a b c d", 0);
    slow.first_byte_delay = milliseconds(150);
    slow.delay_per_chunk = milliseconds(40);
    server.enqueue(slow);
    HttpClient client(server.port());

    const auto start = Clock::now();
    const auto head = client.open_stream("POST", kChat, chat_body("hi", true));
    CHECK(Clock::now() - start >= milliseconds(140));
    REQUIRE(head.status == 200);
    std::vector<std::int64_t> piece_stamps;
    for (auto read = client.next_event(); read.status == StreamStatus::event; read = client.next_event()) {
        if (read.event.data == "[DONE]") {
            continue;
        }
        const auto chunk = parse_data(read.event.data).as_object();
        const auto received_ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(read.event.received_at.time_since_epoch()).count();
        CHECK(stamp_of(chunk) <= received_ns);
        if (!openai_text({chunk}).empty()) {
            piece_stamps.push_back(stamp_of(chunk));
        }
    }
    REQUIRE(piece_stamps.size() == 4);
    for (std::size_t i = 1; i < piece_stamps.size(); ++i) {
        CHECK(piece_stamps[i] - piece_stamps[i - 1] >= std::chrono::nanoseconds(milliseconds(35)).count());
    }
}

TEST_CASE("stamp_pieces: each piece's text starts with its emit time, the chunk's own stamp", "[support]") {
    FakeModelServer server;
    Script stamped = text_script("a b c", 0);
    stamped.stamp_pieces = true;
    stamped.delay_per_chunk = milliseconds(5);
    server.enqueue(stamped);
    HttpClient client(server.port());

    REQUIRE(client.open_stream("POST", kChat, chat_body("hi", true)).status == 200);
    std::vector<std::string> words;
    std::int64_t previous = 0;
    for (auto read = client.next_event(); read.status == StreamStatus::event; read = client.next_event()) {
        if (read.event.data == "[DONE]") {
            continue;
        }
        const auto chunk = parse_data(read.event.data).as_object();
        const auto text = openai_text({chunk});
        if (text.empty()) {
            continue;
        }
        const auto space = text.find(' ');
        REQUIRE(space != std::string::npos);
        const auto emitted = std::stoll(text.substr(0, space));
        CHECK(emitted == stamp_of(chunk));
        CHECK(emitted > previous);
        previous = emitted;
        words.push_back(text.substr(space + 1));
    }
    CHECK(words == std::vector<std::string>{"a", " b", " c"});
}

TEST_CASE("Every request is recorded", "[support]") {
    FakeModelServer server;
    HttpClient client(server.port());
    const auto body = chat_body("record me", false);
    const auto before = Clock::now();
    REQUIRE(client.request("POST", kChat, body, {{"X-Test", "yes"}, {"Authorization", "Bearer sk-test"}}).status ==
            200);
    REQUIRE(client.request("GET", "/v1/models").status == 200);
    const auto after = Clock::now();

    CHECK(server.request_count() == 2);
    const auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].target == kChat);
    CHECK(requests[0].headers.at("x-test") == "yes");
    CHECK(requests[0].headers.at("authorization") == "Bearer sk-test");
    CHECK(requests[0].headers.at("content-type") == "application/json");
    CHECK(requests[0].body == body);
    CHECK(requests[0].received_at >= before);
    CHECK(requests[0].received_at <= after);
    CHECK(requests[1].method == "GET");
    CHECK(requests[1].target == "/v1/models");
    CHECK(server.wait_for_requests(2, milliseconds(0)));

    server.clear();
    CHECK(server.request_count() == 0);
    CHECK(server.requests().empty());
}

TEST_CASE("Connections are counted and keep-alive reuses one", "[support]") {
    FakeModelServer server;
    {
        HttpClient client(server.port());
        CHECK(client.request("POST", kChat, chat_body("1", false)).status == 200);
        CHECK(client.stream("POST", kChat, chat_body("2", true)).end == StreamStatus::finished);
        CHECK(client.stream("POST", kMessages, messages_body("3", true)).end == StreamStatus::finished);
        CHECK(client.request("GET", "/v1/models").status == 200);
        CHECK(server.connections_accepted() == 1);
        CHECK(server.active_connections() == 1);
        CHECK(client.connections_opened() == 1);

        HttpClient other(server.port());
        CHECK(other.request("GET", "/v1/models").status == 200);
        CHECK(server.connections_accepted() == 2);
    }
    CHECK(server.wait_for_active_connections(0, milliseconds(5000)));
}

TEST_CASE("Concurrent streams are served side by side", "[support]") {
    FakeModelServerOptions options;
    options.threads = 2;
    FakeModelServer server(options);
    Script slow = text_script("a b c d e", 0);
    slow.delay_per_chunk = milliseconds(100);
    server.set_default_script(slow);
    constexpr int kClients = 6;
    const auto start = Clock::now();
    std::vector<std::future<SseCapture>> results;
    for (int i = 0; i < kClients; ++i) {
        results.push_back(std::async(std::launch::async, [port = server.port()] {
            HttpClient client(port);
            return client.stream("POST", kChat, chat_body("x", true));
        }));
    }
    for (auto& result : results) {
        const auto capture = result.get();
        CHECK(capture.end == StreamStatus::finished);
        CHECK(openai_text(openai_chunks(capture)) == "a b c d e");
    }
    // Serially this would take at least 6 × 500 ms.
    CHECK(Clock::now() - start < milliseconds(2500));
    CHECK(server.connections_accepted() == kClients);
}

TEST_CASE("Control endpoints: scripts and requests and stats and reset", "[support]") {
    FakeModelServer server;
    HttpClient control(server.port());
    HttpClient model(server.port());

    Script script = text_script("from control", 2);
    script.tool_calls = {ToolCallScript{"call_9", "f", R"({"a":1})", 2, {}}};
    auto posted = control.request("POST", "/__fake/scripts", json::serialize(script_to_json(script)));
    REQUIRE(posted.status == 200);
    CHECK(json::parse(posted.body).at("accepted").to_number<int>() == 1);
    CHECK(server.pending_scripts() == 1);

    const auto answer = json::parse(model.request("POST", kChat, chat_body("q", false)).body);
    CHECK(answer.at("choices").at(0).at("message").at("content").as_string() == "from control");
    CHECK(answer.at("choices").at(0).at("message").at("tool_calls").at(0).at("id").as_string() == "call_9");

    // An array of scripts, with arguments given as an object and a numeric Retry-After.
    const auto array = R"([{"text":"first"},{"status":429,"retry_after":3,
                           "tool_calls":[{"name":"g","arguments":{"x":[1,2]}}]}])";
    REQUIRE(control.request("POST", "/__fake/scripts", array).status == 200);
    CHECK(server.pending_scripts() == 2);
    CHECK(json::parse(model.request("POST", kChat, chat_body("q", false)).body)
              .at("choices")
              .at(0)
              .at("message")
              .at("content")
              .as_string() == "first");
    const auto limited = model.request("POST", kChat, chat_body("q", false));
    CHECK(limited.status == 429);
    CHECK(limited.header("retry-after") == "3");

    const auto requests = json::parse(control.request("GET", "/__fake/requests").body);
    const auto& data = requests.at("data").as_array();
    REQUIRE(data.size() == 3);  // control requests are not recorded
    CHECK(data[0].at("method").as_string() == "POST");
    CHECK(data[0].at("target").as_string() == kChat);
    CHECK(data[0].at("headers").at("content-type").as_string() == "application/json");
    CHECK(data[0].at("body").as_string() == chat_body("q", false));
    CHECK(data[0].at("received_ns").is_int64());

    const auto stats = json::parse(control.request("GET", "/__fake/stats").body);
    CHECK(stats.at("requests").to_number<int>() == 3);
    CHECK(stats.at("connections_accepted").to_number<int>() == 2);

    REQUIRE(control.request("POST", "/__fake/scripts", R"({"text":"queued"})").status == 200);
    const auto reset = control.request("POST", "/__fake/reset");
    CHECK(reset.status == 200);
    CHECK(server.request_count() == 0);
    CHECK(server.pending_scripts() == 0);
    CHECK(json::parse(control.request("GET", "/__fake/stats").body).at("requests").to_number<int>() == 0);

    const auto default_script = control.request("POST", "/__fake/default_script", R"({"text":"new default"})");
    CHECK(default_script.status == 200);
    const auto defaulted = json::parse(model.request("POST", kMessages, messages_body("q", false)).body);
    CHECK(defaulted.at("content").at(0).at("text").as_string() == "new default");

    CHECK(control.request("POST", "/__fake/scripts", R"({"txt":"typo"})").status == 400);
    CHECK(control.request("POST", "/__fake/scripts", R"({"chunks":"three"})").status == 400);
    CHECK(control.request("POST", "/__fake/scripts", "{not json").status == 400);
    CHECK(control.request("GET", "/__fake/nothing").status == 404);
    CHECK(server.pending_scripts() == 0);
}

TEST_CASE("A malformed request body gets a 400 JSON error and consumes no script", "[support]") {
    FakeModelServer server;
    server.enqueue(text_script("kept", 0));
    HttpClient client(server.port());
    const std::vector<std::string> bad_bodies = {"{not json",
                                                 "[]",
                                                 "",
                                                 R"({"messages":"hello"})",
                                                 R"({"messages":[1]})",
                                                 R"({"messages":[],"stream":"yes"})",
                                                 R"({"model":7,"messages":[]})",
                                                 R"({"messages":[{"content":"no role"}]})"};
    for (const auto& body : bad_bodies) {
        const auto openai = client.request("POST", kChat, body);
        CHECK(openai.status == 400);
        CHECK(json::parse(openai.body).at("error").at("type").as_string() == "invalid_request_error");
        const auto anthropic = client.request("POST", kMessages, body);
        CHECK(anthropic.status == 400);
        CHECK(json::parse(anthropic.body).at("type").as_string() == "error");
    }
    CHECK(server.pending_scripts() == 1);
    const auto good = json::parse(client.request("POST", kChat, chat_body("q", false)).body);
    CHECK(good.at("choices").at(0).at("message").at("content").as_string() == "kept");
    CHECK(server.connections_accepted() == 1);
}

TEST_CASE("GET /v1/models lists the models and unknown routes are 404", "[support]") {
    FakeModelServerOptions options;
    options.models = {"alpha", "beta"};
    FakeModelServer server(options);
    HttpClient client(server.port());
    const auto models = json::parse(client.request("GET", "/v1/models").body);
    CHECK(models.at("object").as_string() == "list");
    REQUIRE(models.at("data").as_array().size() == 2);
    CHECK(models.at("data").at(1).at("id").as_string() == "beta");
    CHECK(models.at("data").at(0).at("object").as_string() == "model");

    const auto missing = client.request("GET", "/v1/nothing");
    CHECK(missing.status == 404);
    CHECK(json::parse(missing.body).at("error").at("message").is_string());
    CHECK(client.request("GET", kChat).status == 404);
}

TEST_CASE("TLS: the server serves HTTPS with a generated certificate", "[support]") {
    const auto certificates = generate_test_certificates("localhost");
    CHECK(certificates.ca_certificate_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    CHECK(certificates.server_private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));

    FakeModelServerOptions options;
    options.tls = TlsIdentity{certificates.server_certificate_pem, certificates.server_private_key_pem};
    FakeModelServer server(options);
    CHECK(server.base_url().starts_with("https://127.0.0.1:"));

    HttpClientOptions client_options;
    client_options.tls_ca_pem = certificates.ca_certificate_pem;
    client_options.tls_server_name = "localhost";
    HttpClient client(server.port(), client_options);
    const auto capture = client.stream("POST", kChat, chat_body("secure hello", true));
    CHECK(capture.end == StreamStatus::finished);
    CHECK(openai_text(openai_chunks(capture)) == "echo: secure hello");
    CHECK(client.request("GET", "/v1/models").status == 200);
    CHECK(server.connections_accepted() == 1);

    SECTION("a name the certificate does not carry is refused") {
        client_options.tls_server_name = "example.com";
        HttpClient wrong_name(server.port(), client_options);
        CHECK_THROWS_AS(wrong_name.request("GET", "/v1/models"), boost::system::system_error);
    }
    SECTION("a certificate from another CA is refused") {
        client_options.tls_ca_pem = generate_test_certificates("localhost").ca_certificate_pem;
        HttpClient untrusting(server.port(), client_options);
        CHECK_THROWS_AS(untrusting.request("GET", "/v1/models"), boost::system::system_error);
    }
}

namespace {

// A spawned process, killed at scope exit unless it was reaped.
class ChildProcess {
public:
    explicit ChildProcess(pid_t pid) : pid_(pid) {}
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ChildProcess(ChildProcess&&) = delete;
    ChildProcess& operator=(ChildProcess&&) = delete;
    ~ChildProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }

    // Sends the signal and returns the wait status.
    int terminate(int signal) {
        kill(pid_, signal);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return status;
    }

private:
    pid_t pid_;
};

// One line from a pipe, or what arrived before the timeout or EOF.
std::string read_line(int fd, milliseconds timeout) {
    std::string line;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        pollfd ready{fd, POLLIN, 0};
        if (left.count() <= 0 || poll(&ready, 1, static_cast<int>(left.count())) != 1) {
            return line;
        }
        char c = 0;
        if (read(fd, &c, 1) != 1 || c == '\n') {
            return line;
        }
        line.push_back(c);
    }
}

}  // namespace

TEST_CASE("The fake_model_server executable serves and exits 0 on SIGTERM", "[support]") {
    int output[2] = {-1, -1};
    REQUIRE(pipe(output) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, output[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, output[0]);
    std::vector<std::string> arguments = {
        PARLEY_FAKE_MODEL_SERVER_EXE, "--port", "0", "--text", "from the process", "--chunks", "3", "--delay-ms", "1"};
    std::vector<char*> argv;
    for (auto& argument : arguments) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    const auto spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(output[1]);
    REQUIRE(spawned == 0);
    ChildProcess child(pid);

    // The first line says where it listens; reading it waits until it accepts.
    const auto line = read_line(output[0], milliseconds(10'000));
    close(output[0]);
    const std::string prefix = "listening on 127.0.0.1:";
    REQUIRE(line.starts_with(prefix));
    const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(prefix.size())));

    {
        HttpClient client(port);
        const auto capture = client.stream("POST", kChat, chat_body("hi", true));
        CHECK(capture.end == StreamStatus::finished);
        CHECK(openai_pieces(openai_chunks(capture)).size() == 3);
        CHECK(openai_text(openai_chunks(capture)) == "from the process");
        const auto stats = json::parse(client.request("GET", "/__fake/stats").body);
        CHECK(stats.at("requests").to_number<int>() == 1);
    }

    const auto status = child.terminate(SIGTERM);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

}  // namespace parley::testing
