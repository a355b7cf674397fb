// The OpenAI-compatible surface (GET /v1/models, POST /v1/chat/completions)
// against the real parleyd: the mock provider, sessions, and a scripted
// upstream for the 502/504 paths.
#include <algorithm>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "tests/integration/parleyd_process.hpp"
#include "tests/support/fake_model_server.hpp"
#include "tests/support/http_client.hpp"

namespace {

namespace json = boost::json;
using parley::testing::FakeModelServer;
using parley::testing::HttpClient;
using parley::testing::HttpHeaders;
using parley::testing::HttpResponse;
using parley::testing::ParleydProcess;
using parley::testing::Script;
using parley::testing::SseRead;
using parley::testing::StreamStatus;
using namespace std::chrono_literals;

constexpr std::string_view kKey = "sk-openai-test-key";
constexpr std::string_view kOtherKey = "sk-openai-other-tenant";

// Agents: `echo` (instant mock, the todo tool), `slow` (a paced mock),
// `upstream` (the fake model server, 1 s first-byte and 3 s total timeouts (a
// stateless call asked for a whole answer is bounded by the total), no retries) and
// `down` (an upstream nobody listens on); `brief` (a second fake model server, its
// idle connections kept for 1 s: a pool's limits are its origin's, set by the first
// provider to use it).
std::string config_for(std::uint16_t fake_port, std::uint16_t closed_port, std::uint16_t brief_port) {
    return fmt::format(R"(
[server]
listen = "127.0.0.1:0"
io_threads = 2
[storage]
path = "parley.db"
[[auth.keys]]
name = "main"
tenant = "acme"
key_env = "PARLEY_OPENAI_TEST_KEY"
[[auth.keys]]
name = "other"
tenant = "globex"
key_env = "PARLEY_OPENAI_OTHER_KEY"
[providers.demo]
kind = "mock"
tokens_per_second = 0
[providers.paced]
kind = "mock"
tokens_per_second = 20
[providers.fake]
kind = "openai"
base_url = "http://127.0.0.1:{0}/v1"
api_key_env = ""
first_byte_timeout_seconds = 1
request_timeout_seconds = 3
max_retries = 0
[providers.fake_brief]
kind = "openai"
base_url = "http://127.0.0.1:{2}/v1"
api_key_env = ""
keepalive_timeout_seconds = 1
max_retries = 0
[providers.nobody]
kind = "openai"
base_url = "http://127.0.0.1:{1}/v1"
api_key_env = ""
connect_timeout_ms = 1000
max_retries = 0
[agents.echo]
provider = "demo"
model = "mock"
tools = ["todo"]
[agents.slow]
provider = "paced"
model = "mock"
[agents.upstream]
provider = "fake"
model = "fake-model"
[agents.down]
provider = "nobody"
model = "fake-model"
[agents.brief]
provider = "fake_brief"
model = "fake-model"
)",
                       fake_port, closed_port, brief_port);
}

// A port with nothing listening: bound, then closed.
std::uint16_t closed_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

HttpHeaders auth(std::string_view key = kKey) {
    return {{"Authorization", fmt::format("Bearer {}", key)}};
}

HttpHeaders with_session(const std::string& session_id, std::string_view key = kKey) {
    auto headers = auth(key);
    headers["X-Session-Id"] = session_id;
    return headers;
}

std::string chat_body(std::string_view model, std::string_view user_text, bool stream = false) {
    json::object body{{"model", model},
                      {"messages", json::array{json::object{{"role", "user"}, {"content", user_text}}}}};
    if (stream) {
        body["stream"] = true;
        body["stream_options"] = json::object{{"include_usage", true}};
    }
    return json::serialize(body);
}

json::object parse_object(const std::string& text) {
    return json::parse(text).as_object();
}

std::string error_code(const HttpResponse& response) {
    const auto body = parse_object(response.body);
    return std::string(body.at("error").at("code").as_string());
}

std::string error_param(const HttpResponse& response) {
    const auto body = parse_object(response.body);
    const auto& param = body.at("error").at("param");
    return param.is_string() ? std::string(param.as_string()) : std::string();
}

std::string reply_content(const HttpResponse& response) {
    const auto body = parse_object(response.body);
    return std::string(body.at("choices").at(0).at("message").at("content").as_string());
}

struct Streamed {
    std::vector<json::object> chunks;
    std::string content;
    bool done = false;
};

Streamed read_chunks(HttpClient& client, const HttpResponse& head) {
    Streamed streamed;
    REQUIRE(head.status == 200);
    REQUIRE(head.header("content-type").starts_with("text/event-stream"));
    for (;;) {
        const auto read = client.next_event();
        if (read.status != StreamStatus::event) {
            break;
        }
        if (read.event.data == "[DONE]") {
            streamed.done = true;
            continue;
        }
        auto chunk = parse_object(read.event.data);
        for (const auto& choice : chunk.at("choices").as_array()) {
            const auto& delta = choice.at("delta").as_object();
            if (const auto* content = delta.if_contains("content"); content != nullptr && content->is_string()) {
                streamed.content += content->as_string();
            }
        }
        streamed.chunks.push_back(std::move(chunk));
    }
    return streamed;
}

std::size_t session_count(HttpClient& client) {
    const auto sessions = client.request("GET", "/v1/sessions", {}, auth());
    REQUIRE(sessions.status == 200);
    return parse_object(sessions.body).at("data").as_array().size();
}

std::size_t search_hits(HttpClient& client, std::string_view word) {
    const auto hits = client.request("GET", fmt::format("/v1/search?q={}", word), {}, auth());
    REQUIRE(hits.status == 200);
    return parse_object(hits.body).at("data").as_array().size();
}

std::string create_session(HttpClient& client, std::string_view agent, std::string_view key = kKey) {
    const auto body = json::serialize(json::object{{"agent", agent}});
    const auto created = client.request("POST", "/v1/sessions", body, auth(key));
    REQUIRE(created.status == 201);
    return std::string(parse_object(created.body).at("id").as_string());
}

// The value of `parley_turns_total{outcome="..."}` on /metrics.
double turns_total(HttpClient& client, std::string_view outcome) {
    const auto metrics = client.request("GET", "/metrics");
    const auto needle = fmt::format("parley_turns_total{{outcome=\"{}\"}} ", outcome);
    const auto at = metrics.body.find(needle);
    if (at == std::string::npos) {
        return 0;
    }
    return std::stod(metrics.body.substr(at + needle.size()));
}

struct Fixture {
    Fixture()
        : daemon({config_for(fake.port(), closed_port(), brief_upstream.port()),
                  {{"PARLEY_OPENAI_TEST_KEY", std::string(kKey)}, {"PARLEY_OPENAI_OTHER_KEY", std::string(kOtherKey)}},
                  {},
                  true}),
          client(daemon.port()) {}

    FakeModelServer fake;
    FakeModelServer brief_upstream;
    ParleydProcess daemon;
    HttpClient client;
};

}  // namespace

TEST_CASE("GET /v1/models lists the agents as models", "[integration][openai]") {
    Fixture f;
    const auto models = f.client.request("GET", "/v1/models", {}, auth());
    REQUIRE(models.status == 200);
    const auto body = parse_object(models.body);
    CHECK(body.at("object") == "list");
    std::vector<std::string> ids;
    for (const auto& model : body.at("data").as_array()) {
        CHECK(model.at("object") == "model");
        CHECK(model.at("owned_by") == "parley");
        CHECK(model.at("created").is_int64());
        ids.emplace_back(model.at("id").as_string());
    }
    CHECK(ids == std::vector<std::string>{"brief", "down", "echo", "slow", "upstream"});

    CHECK(f.client.request("GET", "/v1/models/echo", {}, auth()).status == 200);
    const auto missing = f.client.request("GET", "/v1/models/nope", {}, auth());
    CHECK(missing.status == 404);
    CHECK(error_code(missing) == "model_not_found");
    CHECK(f.client.request("GET", "/v1/models").status == 401);
}

TEST_CASE("a stateless chat completion answers as OpenAI does and stores nothing", "[integration][openai]") {
    Fixture f;
    const auto body = json::serialize(json::object{
        {"model", "echo"},
        {"temperature", 0.5},
        {"max_tokens", 100},
        {"messages", json::array{json::object{{"role", "system"}, {"content", "Be brief."}},
                                 json::object{{"role", "user"}, {"content", "an older question"}},
                                 json::object{{"role", "assistant"}, {"content", "an older answer"}},
                                 json::object{{"role", "user"},
                                              {"content", json::array{json::object{{"type", "text"},
                                                                                   {"text", "hello there"}}}}}}}});
    const auto response = f.client.request("POST", "/v1/chat/completions", body, auth());
    REQUIRE(response.status == 200);
    const auto completion = parse_object(response.body);
    CHECK(std::string(completion.at("id").as_string()).starts_with("chatcmpl-"));
    CHECK(completion.at("object") == "chat.completion");
    CHECK(completion.at("model") == "echo");
    CHECK(completion.at("created").is_int64());
    const auto& choice = completion.at("choices").at(0).as_object();
    CHECK(choice.at("index") == 0);
    CHECK(choice.at("finish_reason") == "stop");
    CHECK(choice.at("message").at("role") == "assistant");
    CHECK(choice.at("message").at("content") == "echo: hello there");
    const auto& usage = completion.at("usage").as_object();
    // The mock counts the words of every message it was given: the whole request history.
    CHECK(usage.at("prompt_tokens").as_int64() == 3 + 3 + 2);
    CHECK(usage.at("completion_tokens").as_int64() == 3);
    CHECK(usage.at("total_tokens").as_int64() == 3 + 3 + 2 + 3);

    SECTION("streamed: a role chunk, content deltas, a finish chunk, a usage chunk, then [DONE]") {
        const auto head =
            f.client.open_stream("POST", "/v1/chat/completions", chat_body("echo", "stream me please", true), auth());
        const auto streamed = read_chunks(f.client, head);
        CHECK(streamed.done);
        CHECK(streamed.content == "echo: stream me please");
        REQUIRE(streamed.chunks.size() >= 4);
        const auto& first = streamed.chunks.front();
        CHECK(first.at("object") == "chat.completion.chunk");
        CHECK(first.at("choices").at(0).at("delta").at("role") == "assistant");
        const auto& finish = streamed.chunks[streamed.chunks.size() - 2];
        CHECK(finish.at("choices").at(0).at("finish_reason") == "stop");
        const auto& usage_chunk = streamed.chunks.back();
        CHECK(usage_chunk.at("choices").as_array().empty());
        CHECK(usage_chunk.at("usage").at("completion_tokens").as_int64() == 4);
        for (const auto& chunk : streamed.chunks) {
            CHECK(chunk.at("id") == first.at("id"));
        }
    }

    SECTION("the agent's server-side tools run inside the call") {
        const auto tool_body =
            chat_body("echo", R"(/tool todo {"todos":[{"id":"1","content":"write the docs","status":"pending"}]})");
        const auto answered = f.client.request("POST", "/v1/chat/completions", tool_body, auth());
        REQUIRE(answered.status == 200);
        CHECK(reply_content(answered) ==
              R"(tool said: {"todos":[{"id":"1","content":"write the docs","status":"pending"}]})");
    }

    SECTION("assistant tool calls and tool results in the request reach the model") {
        const auto history = json::serialize(json::object{
            {"model", "echo"},
            {"messages",
             json::array{json::object{{"role", "user"}, {"content", "/tool todo {}"}},
                         json::object{{"role", "assistant"},
                                      {"content", nullptr},
                                      {"tool_calls", json::array{json::object{
                                                         {"id", "call_1"},
                                                         {"type", "function"},
                                                         {"function", {{"name", "todo"}, {"arguments", "{}"}}}}}}},
                         json::object{{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "all done"}}}}});
        const auto answered = f.client.request("POST", "/v1/chat/completions", history, auth());
        REQUIRE(answered.status == 200);
        CHECK(reply_content(answered) == "tool said: all done");
    }

    // Nothing of any of it was stored.
    CHECK(session_count(f.client) == 0);
    CHECK(search_hits(f.client, "hello") == 0);
    CHECK(search_hits(f.client, "stream") == 0);
    CHECK(search_hits(f.client, "docs") == 0);
}

TEST_CASE("X-Session-Id continues a session and stores the turn", "[integration][openai]") {
    Fixture f;
    const auto session_id = create_session(f.client, "echo");

    const auto first =
        f.client.request("POST", "/v1/chat/completions", chat_body("echo", "first words"), with_session(session_id));
    REQUIRE(first.status == 200);
    CHECK(reply_content(first) == "echo: first words");
    CHECK(first.header("x-session-id") == session_id);

    // Only the last user message is appended; the agent reads the stored history.
    const auto second_body = json::serialize(
        json::object{{"model", "echo"},
                     {"messages", json::array{json::object{{"role", "user"}, {"content", "ignored earlier text"}},
                                              json::object{{"role", "user"}, {"content", "second"}}}}});
    const auto second = f.client.request("POST", "/v1/chat/completions", second_body, with_session(session_id));
    REQUIRE(second.status == 200);
    CHECK(reply_content(second) == "echo: second");
    // "first words" + "echo: first words" + "second": the stored history, not the request's.
    CHECK(parse_object(second.body).at("usage").at("prompt_tokens").as_int64() == 2 + 3 + 1);

    const auto head = f.client.open_stream("POST", "/v1/chat/completions", chat_body("echo", "third one", true),
                                           with_session(session_id));
    CHECK(head.header("x-session-id") == session_id);
    const auto streamed = read_chunks(f.client, head);
    CHECK(streamed.content == "echo: third one");
    CHECK(streamed.done);

    const auto messages = f.client.request("GET", fmt::format("/v1/sessions/{}/messages", session_id), {}, auth());
    REQUIRE(messages.status == 200);
    std::vector<std::string> contents;
    const auto page = parse_object(messages.body);
    for (const auto& message : page.at("data").as_array()) {
        contents.emplace_back(message.at("content").as_string());
    }
    CHECK(contents == std::vector<std::string>{"first words", "echo: first words", "second", "echo: second",
                                               "third one", "echo: third one"});
    CHECK(search_hits(f.client, "third") == 2);
    CHECK(session_count(f.client) == 1);
}

TEST_CASE("chat completion errors name the model the session or the field", "[integration][openai]") {
    Fixture f;
    const auto post = [&](const std::string& body, const HttpHeaders& headers = auth()) {
        return f.client.request("POST", "/v1/chat/completions", body, headers);
    };

    const auto unknown = post(chat_body("gpt-nope", "hi"));
    CHECK(unknown.status == 404);
    CHECK(error_code(unknown) == "model_not_found");
    CHECK(error_param(unknown) == "model");

    const auto session_id = create_session(f.client, "echo");
    const auto mismatch = post(chat_body("slow", "hi"), with_session(session_id));
    CHECK(mismatch.status == 400);
    CHECK(error_code(mismatch) == "model_mismatch");

    const auto no_session = post(chat_body("echo", "hi"), with_session("ses_doesnotexist"));
    CHECK(no_session.status == 404);
    CHECK(error_code(no_session) == "session_not_found");

    const auto foreign = post(chat_body("echo", "hi"), with_session(session_id, kOtherKey));
    CHECK(foreign.status == 404);
    CHECK(error_code(foreign) == "session_not_found");

    const auto no_key = post(chat_body("echo", "hi"), {});
    CHECK(no_key.status == 401);

    struct Invalid {
        std::string body;
        std::string param;
    };
    const std::vector<Invalid> invalid{
        {R"({"model":"echo"})", "messages"},
        {R"({"model":"echo","messages":[]})", "messages"},
        {R"({"model":"echo","messages":"hi"})", "messages"},
        {R"({"messages":[{"role":"user","content":"hi"}]})", "model"},
        {R"({"model":"echo","messages":[{"content":"hi"}]})", "messages[0].role"},
        {R"({"model":"echo","messages":[{"role":"user","content":"hi"},{"role":"user"}]})", "messages[1].content"},
        {R"({"model":"echo","messages":[{"role":"wizard","content":"hi"}]})", "messages[0].role"},
        {R"({"model":"echo","messages":[{"role":"user","content":7}]})", "messages[0].content"},
        {R"({"model":"echo","messages":[{"role":"tool","content":"x"}]})", "messages[0].tool_call_id"},
        {R"({"model":"echo","messages":[{"role":"user","content":"hi"}],"stream":"yes"})", "stream"},
        {R"({"model":"echo","messages":[{"role":"user","content":"hi"}],"temperature":"hot"})", "temperature"},
        {R"({"model":"echo","messages":[{"role":"user","content":"hi"}],"temperature":3})", "temperature"},
        {R"({"model":"echo","messages":[{"role":"user","content":"hi"}],"max_tokens":"many"})", "max_tokens"},
        {R"({"model":"echo","messages":[{"role":"user","content":"hi"}],"max_tokens":0})", "max_tokens"},
        {R"({"model":"echo","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":1}})",
         "stream_options.include_usage"},
    };
    for (const auto& [body, param] : invalid) {
        INFO(body);
        const auto response = post(body);
        CHECK(response.status == 400);
        CHECK(error_param(response) == param);
    }
    CHECK(error_code(post("{not json")) == "invalid_json");

    // A session call needs a user message to append.
    const auto no_user =
        post(R"({"model":"echo","messages":[{"role":"system","content":"x"}]})", with_session(session_id));
    CHECK(no_user.status == 400);
    CHECK(error_param(no_user) == "messages");
}

TEST_CASE("an idle upstream connection is closed after its provider's keepalive, another kept",
          "[integration][openai]") {
    Fixture f;
    REQUIRE(f.client.request("POST", "/v1/chat/completions", chat_body("upstream", "kept"), auth()).status == 200);
    REQUIRE(f.client.request("POST", "/v1/chat/completions", chat_body("brief", "closed"), auth()).status == 200);
    // Each provider pooled its connection; `brief`'s goes after 1 s idle (parleyd looks every second).
    CHECK(f.fake.active_connections() == 1);
    CHECK(f.brief_upstream.active_connections() == 1);
    CHECK(f.brief_upstream.wait_for_active_connections(0, 5000ms));
    CHECK(f.fake.active_connections() == 1);  // `upstream`'s, kept for 60 s
    const auto again = f.client.request("POST", "/v1/chat/completions", chat_body("brief", "again"), auth());
    CHECK(again.status == 200);
    CHECK(reply_content(again) == "echo: again");
}

TEST_CASE("upstream failures map to 502 and a hung upstream to 504", "[integration][openai]") {
    Fixture f;
    const auto post = [&](std::string_view model, bool stream = false) {
        return f.client.request("POST", "/v1/chat/completions", chat_body(model, "hello upstream", stream), auth());
    };

    const auto fine = post("upstream");
    REQUIRE(fine.status == 200);
    CHECK(reply_content(fine) == "echo: hello upstream");
    // Nobody watches a stateless call that is not streamed: the upstream answers it whole.
    CHECK_FALSE(parse_object(f.fake.requests().back().body).contains("stream"));

    Script truncated;
    truncated.finish_reason = "length";
    f.fake.enqueue(truncated);
    const auto cut = post("upstream");
    REQUIRE(cut.status == 200);
    CHECK(parse_object(cut.body).at("choices").at(0).at("finish_reason") == "length");

    Script failing;
    failing.status = 500;
    f.fake.enqueue(failing);
    const auto failed = post("upstream");
    CHECK(failed.status == 502);
    CHECK(error_code(failed) == "upstream_error");

    f.fake.enqueue(failing);
    const auto failed_stream = post("upstream", true);
    CHECK(failed_stream.status == 502);
    CHECK(error_code(failed_stream) == "upstream_error");
    CHECK(parse_object(f.fake.requests().back().body).at("stream") == true);

    // A failure after text was streamed ends the stream with an error line and no [DONE].
    Script dropping;
    dropping.text = "one two three four";
    dropping.drop_after_chunks = 2;
    f.fake.enqueue(dropping);
    const auto head = f.client.open_stream("POST", "/v1/chat/completions", chat_body("upstream", "x", true), auth());
    REQUIRE(head.status == 200);
    std::vector<std::string> lines;
    for (auto read = f.client.next_event(); read.status == StreamStatus::event; read = f.client.next_event()) {
        lines.push_back(read.event.data);
    }
    REQUIRE(lines.size() >= 2);
    const auto last = parse_object(lines.back());
    CHECK(last.at("error").at("code") == "upstream_error");
    CHECK(std::find(lines.begin(), lines.end(), "[DONE]") == lines.end());

    const auto down = post("down");
    CHECK(down.status == 502);
    CHECK(error_code(down) == "upstream_error");

    Script hung;
    hung.hang_before_headers = true;
    f.fake.enqueue(hung);
    const auto started = std::chrono::steady_clock::now();
    const auto timed_out = post("upstream");
    CHECK(timed_out.status == 504);
    CHECK(error_code(timed_out) == "upstream_timeout");
    CHECK(std::chrono::steady_clock::now() - started < 5s);

    // The daemon stored nothing and still serves.
    CHECK(session_count(f.client) == 0);
    CHECK(post("echo").status == 200);
}

TEST_CASE("a client leaving a stateless stream cancels its turn", "[integration][openai]") {
    Fixture f;
    const auto before = turns_total(f.client, "interrupted");
    {
        HttpClient streaming(f.daemon.port());
        const auto head = streaming.open_stream(
            "POST", "/v1/chat/completions",
            chat_body("slow", "one two three four five six seven eight nine ten eleven twelve", true), auth());
        REQUIRE(head.status == 200);
        const auto first = streaming.next_event();
        REQUIRE(first.status == StreamStatus::event);
        streaming.close();
    }
    // 12 words at 20 a second would take 0.6 s more; the cancel is much sooner.
    bool interrupted = false;
    for (int i = 0; i < 50 && !interrupted; ++i) {
        interrupted = turns_total(f.client, "interrupted") == before + 1;
        if (!interrupted) {
            std::this_thread::sleep_for(20ms);
        }
    }
    CHECK(interrupted);
    CHECK(session_count(f.client) == 0);
}
