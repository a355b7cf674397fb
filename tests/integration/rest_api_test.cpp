// The native REST API and its SSE streams, against the real parleyd with the
// built-in mock provider (deterministic: "echo: <message>", a word per token).
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "tests/integration/api_client.hpp"
#include "tests/integration/parleyd_process.hpp"

namespace {

namespace json = boost::json;
using parley::testing::ApiClient;
using parley::testing::ParleydProcess;
using parley::testing::StreamStatus;
using namespace std::chrono_literals;

constexpr std::string_view kAgents = R"(
[server]
listen = "127.0.0.1:0"
io_threads = 2
shutdown_grace_seconds = 2
[storage]
path = ":memory:"
[providers.fast]
kind = "mock"
tokens_per_second = 0
[providers.slow]
kind = "mock"
tokens_per_second = 40
[agents.assistant]
description = "answers at once"
provider = "fast"
model = "echo-1"
tools = ["todo"]
[agents.slow]
provider = "slow"
model = "echo-slow"
[agents.strict]
provider = "slow"
model = "echo-slow"
busy_policy = "reject"
[agents.impatient]
provider = "slow"
model = "echo-slow"
busy_policy = "interrupt"
)";

// A reply long enough (200 words at 40 tokens/s = 5 s) to act on while it streams.
std::string long_message() {
    std::string text;
    for (int i = 0; i < 200; ++i) {
        text += "word ";
    }
    return text;
}

std::string send_body(std::string_view content, bool stream) {
    return json::serialize(json::object{{"content", content}, {"stream", stream}});
}

ParleydProcess start(std::string_view extra_config = {}, std::map<std::string, std::string> env = {}) {
    return ParleydProcess({std::string(kAgents) + std::string(extra_config), std::move(env), {}, true});
}

void require_error(const ApiClient::Reply& reply, unsigned status, std::string_view code,
                   std::optional<std::string_view> param = std::nullopt) {
    INFO(reply.raw.body);
    REQUIRE(reply.status == status);
    const auto& error = reply.body.at("error");
    CHECK(error.at("code").as_string() == code);
    CHECK(!error.at("message").as_string().empty());
    CHECK(!error.at("type").as_string().empty());
    if (param) {
        CHECK(error.at("param").as_string() == *param);
    }
}

TEST_CASE("agents are listed with their provider model and tools", "[integration][rest]") {
    auto daemon = start();
    ApiClient api(daemon.port());
    const auto reply = api.call("GET", "/v1/agents");
    REQUIRE(reply.status == 200);
    const auto& data = reply.body.at("data").as_array();
    REQUIRE(data.size() == 4);
    const auto& assistant = data[0].as_object();
    CHECK(assistant.at("name").as_string() == "assistant");
    CHECK(assistant.at("description").as_string() == "answers at once");
    CHECK(assistant.at("provider").as_string() == "fast");
    CHECK(assistant.at("model").as_string() == "echo-1");
    CHECK(assistant.at("tools").as_array().size() == 1);
}

TEST_CASE("a session is created read listed patched and deleted", "[integration][rest]") {
    auto daemon = start();
    ApiClient api(daemon.port());

    const auto created = api.call("POST", "/v1/sessions", R"({"agent":"assistant"})");
    REQUIRE(created.status == 201);
    const auto& session = created.body.as_object();
    const std::string id(session.at("id").as_string());
    CHECK(id.starts_with("ses_"));
    CHECK(session.at("agent").as_string() == "assistant");
    CHECK(session.at("title").is_null());
    CHECK(session.at("metadata").as_object().empty());
    CHECK(session.at("status").as_string() == "idle");
    CHECK(session.at("last_seq").as_int64() == 0);
    CHECK(session.at("created_at").as_string().ends_with("Z"));

    const auto second = api.call("POST", "/v1/sessions", R"({"agent":"slow","title":"two","metadata":{"k":[1]}})");
    REQUIRE(second.status == 201);
    CHECK(second.body.at("title").as_string() == "two");
    CHECK(json::serialize(second.body.at("metadata")) == R"({"k":[1]})");

    const auto fetched = api.call("GET", "/v1/sessions/" + id);
    REQUIRE(fetched.status == 200);
    CHECK(fetched.body.at("id").as_string() == id);

    const auto first_page = api.call("GET", "/v1/sessions?limit=1");
    REQUIRE(first_page.status == 200);
    REQUIRE(first_page.body.at("data").as_array().size() == 1);
    CHECK(first_page.body.at("has_more").as_bool());
    const std::string newest(first_page.body.at("data").as_array()[0].at("id").as_string());
    CHECK(newest == std::string(second.body.at("id").as_string()));
    const auto second_page = api.call("GET", "/v1/sessions?limit=1&after=" + newest);
    REQUIRE(second_page.status == 200);
    REQUIRE(second_page.body.at("data").as_array().size() == 1);
    CHECK(second_page.body.at("data").as_array()[0].at("id").as_string() == id);
    CHECK_FALSE(second_page.body.at("has_more").as_bool());

    const auto patched = api.call("PATCH", "/v1/sessions/" + id, R"({"title":"renamed","metadata":{"a":1}})");
    REQUIRE(patched.status == 200);
    CHECK(patched.body.at("title").as_string() == "renamed");
    CHECK(patched.body.at("metadata").at("a").as_int64() == 1);
    const auto cleared = api.call("PATCH", "/v1/sessions/" + id, R"({"title":null})");
    REQUIRE(cleared.status == 200);
    CHECK(cleared.body.at("title").is_null());
    CHECK(cleared.body.at("metadata").at("a").as_int64() == 1);

    const auto removed = api.call("DELETE", "/v1/sessions/" + id);
    CHECK(removed.status == 204);
    CHECK(removed.raw.body.empty());
    require_error(api.call("GET", "/v1/sessions/" + id), 404, "session_not_found");
    require_error(api.call("DELETE", "/v1/sessions/" + id), 404, "session_not_found");
}

TEST_CASE("malformed requests get 400 naming the field", "[integration][rest]") {
    auto daemon = start();
    ApiClient api(daemon.port());
    require_error(api.call("POST", "/v1/sessions", "{"), 400, "invalid_json");
    require_error(api.call("POST", "/v1/sessions", "[]"), 400, "invalid_json");
    require_error(api.call("POST", "/v1/sessions", "{}"), 400, "missing_field", "agent");
    require_error(api.call("POST", "/v1/sessions", R"({"agent":5})"), 400, "invalid_field", "agent");
    require_error(api.call("POST", "/v1/sessions", R"({"agent":"assistant","title":7})"), 400, "invalid_field",
                  "title");
    require_error(api.call("POST", "/v1/sessions", R"({"agent":"assistant","metadata":[1]})"), 400, "invalid_field",
                  "metadata");
    require_error(api.call("POST", "/v1/sessions", R"({"agent":"nobody"})"), 404, "agent_not_found", "agent");

    const auto id = api.create_session("assistant");
    const auto messages = "/v1/sessions/" + id + "/messages";
    require_error(api.call("POST", messages, "{}"), 400, "missing_field", "content");
    require_error(api.call("POST", messages, R"({"content":"x","stream":"yes"})"), 400, "invalid_field", "stream");
    require_error(api.call("POST", messages, send_body(std::string(256 * 1024 + 1, 'x'), false)), 400,
                  "content_too_long", "content");
    require_error(api.call("GET", messages + "?limit=0"), 400, "invalid_query_parameter", "limit");
    require_error(api.call("GET", messages + "?before_seq=abc"), 400, "invalid_query_parameter", "before_seq");
    require_error(api.call("GET", "/v1/sessions?limit=101"), 400, "invalid_query_parameter", "limit");
    require_error(api.call("GET", "/v1/sessions?after=ses_nope"), 400, "invalid_cursor", "after");
    require_error(api.call("GET", "/v1/search"), 400, "missing_query_parameter", "q");
    require_error(api.call("GET", "/v1/search?q=%22unbalanced"), 400, "invalid_query", "q");
    require_error(api.call("PATCH", "/v1/sessions/" + id, R"({"metadata":null})"), 400, "invalid_field", "metadata");
    require_error(api.call("POST", "/v1/sessions/ses_missing/messages", send_body("hi", false)), 404,
                  "session_not_found");

    // Nothing the bad requests touched changed the session.
    const auto stored = api.call("GET", messages);
    REQUIRE(stored.status == 200);
    CHECK(stored.body.at("data").as_array().empty());
    CHECK(api.call("GET", "/v1/sessions/" + id).body.at("last_seq").as_int64() == 0);
}

TEST_CASE("a message without stream answers with the whole turn", "[integration][rest]") {
    auto daemon = start();
    ApiClient api(daemon.port());
    const auto id = api.create_session("assistant");
    const auto reply = api.call("POST", "/v1/sessions/" + id + "/messages", R"({"content":"hello there"})");
    REQUIRE(reply.status == 200);
    CHECK(reply.body.at("turn_id").as_string().starts_with("turn_"));
    CHECK(reply.body.at("status").as_string() == "completed");
    CHECK_FALSE(reply.body.as_object().contains("error"));
    const auto& messages = reply.body.at("messages").as_array();
    REQUIRE(messages.size() == 2);
    CHECK(messages[0].at("role").as_string() == "user");
    CHECK(messages[0].at("content").as_string() == "hello there");
    CHECK(messages[1].at("role").as_string() == "assistant");
    CHECK(messages[1].at("content").as_string() == "echo: hello there");
    CHECK(messages[1].at("status").as_string() == "complete");
    CHECK(messages[1].at("usage").at("output_tokens").as_int64() > 0);
    CHECK(messages[0].at("seq").as_int64() < messages[1].at("seq").as_int64());

    // A client that has its answer reads the session as idle at once, also on
    // another connection (and so, with two I/O threads, possibly another thread).
    ApiClient other(daemon.port());
    for (int i = 0; i < 3; ++i) {
        REQUIRE(api.call("POST", "/v1/sessions/" + id + "/messages", send_body("more " + std::to_string(i), false))
                    .status == 200);
        CHECK(other.call("GET", "/v1/sessions/" + id).body.at("status").as_string() == "idle");
    }
    const auto latest = api.call("GET", "/v1/sessions/" + id + "/messages?limit=3");
    REQUIRE(latest.status == 200);
    const auto& page = latest.body.at("data").as_array();
    REQUIRE(page.size() == 3);
    CHECK(latest.body.at("has_more").as_bool());
    CHECK(page[2].at("content").as_string() == "echo: more 2");
    CHECK(page[0].at("seq").as_int64() < page[1].at("seq").as_int64());
    const auto before = page[0].at("seq").as_int64();
    const auto older =
        api.call("GET", "/v1/sessions/" + id + "/messages?limit=50&before_seq=" + std::to_string(before));
    REQUIRE(older.status == 200);
    CHECK(older.body.at("data").as_array().size() == 5);
    CHECK_FALSE(older.body.at("has_more").as_bool());
    CHECK(older.body.at("data").as_array()[0].at("content").as_string() == "hello there");

    const auto session = api.call("GET", "/v1/sessions/" + id);
    CHECK(session.body.at("last_seq").as_int64() >= page[2].at("seq").as_int64());
}

TEST_CASE("a streamed message is a complete ordered SSE stream", "[integration][rest][sse]") {
    auto daemon = start();
    ApiClient api(daemon.port());
    const auto id = api.create_session("assistant");
    const auto capture = api.stream("POST", "/v1/sessions/" + id + "/messages", send_body("stream these words", true));
    REQUIRE(capture.head.status == 200);
    CHECK(capture.head.header("content-type").starts_with("text/event-stream"));
    CHECK(capture.head.header("cache-control") == "no-cache");
    CHECK(capture.head.header("x-accel-buffering") == "no");

    const auto types = event_types(capture);
    REQUIRE(types.size() >= 4);
    CHECK(types.front() == "turn.started");
    CHECK(types[types.size() - 2] == "message.completed");
    CHECK(types.back() == "turn.completed");

    const auto payloads = event_payloads(capture);
    std::int64_t previous = 0;
    std::string streamed;
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        const auto& event = payloads[i];
        CHECK(event.at("type").as_string() == types[i]);
        CHECK(event.at("session_id").as_string() == id);
        CHECK(capture.events[i].id == std::to_string(event.at("seq").as_int64()));
        CHECK(event.at("seq").as_int64() > previous);
        previous = event.at("seq").as_int64();
        if (types[i] == "message.delta") {
            streamed += std::string(event.at("delta").as_string());
        }
    }
    CHECK(streamed == "echo: stream these words");
    CHECK(payloads.front().at("user_message").at("content").as_string() == "stream these words");
    CHECK(payloads[payloads.size() - 2].at("message").at("content").as_string() == streamed);
    CHECK(payloads.back().at("stop_reason").as_string() == "stop");
    CHECK(payloads.back().at("usage").at("output_tokens").as_int64() > 0);
}

TEST_CASE("the events endpoint replays after_seq and Last-Event-ID then tails live", "[integration][rest][sse]") {
    auto daemon = start();
    ApiClient api(daemon.port());
    const auto id = api.create_session("assistant");
    const auto turn = api.stream("POST", "/v1/sessions/" + id + "/messages", send_body("one two", true));
    REQUIRE(turn.events.size() >= 4);
    const auto last_seq = turn.events.back().id;

    ApiClient tail(daemon.port());
    const auto head = tail.http().open_stream("GET", "/v1/sessions/" + id + "/events?after_seq=0", {}, tail.headers());
    REQUIRE(head.status == 200);
    std::vector<std::string> replayed;
    for (std::size_t i = 0; i < turn.events.size(); ++i) {
        const auto read = tail.http().next_event();
        REQUIRE(read.status == StreamStatus::event);
        replayed.push_back(read.event.id);
    }
    for (std::size_t i = 0; i < turn.events.size(); ++i) {
        CHECK(replayed[i] == turn.events[i].id);
    }

    // A second turn reaches the live tail and a Last-Event-ID resume.
    ApiClient sender(daemon.port());
    REQUIRE(sender.call("POST", "/v1/sessions/" + id + "/messages", send_body("again", false)).status == 200);
    // The next event on the tail is the new turn's first: nothing came in between.
    const auto live = tail.http().next_event();
    REQUIRE(live.status == StreamStatus::event);
    CHECK(live.event.event == "turn.started");
    CHECK(std::stoll(live.event.id) > std::stoll(last_seq));

    ApiClient resume(daemon.port());
    const auto resumed_head =
        resume.http().open_stream("GET", "/v1/sessions/" + id + "/events", {}, {{"Last-Event-ID", last_seq}});
    REQUIRE(resumed_head.status == 200);
    const auto first_resumed = resume.http().next_event();
    REQUIRE(first_resumed.status == StreamStatus::event);
    CHECK(first_resumed.event.id == live.event.id);

    ApiClient bad(daemon.port());
    require_error(bad.call("GET", "/v1/sessions/" + id + "/events?after_seq=-1"), 400, "invalid_query_parameter",
                  "after_seq");
    require_error(bad.call("GET", "/v1/sessions/ses_none/events"), 404, "session_not_found");
}

TEST_CASE("two event streams on one session both receive every event", "[integration][rest][sse]") {
    auto daemon = start();
    ApiClient api(daemon.port());
    const auto id = api.create_session("slow");
    ApiClient first(daemon.port());
    ApiClient second(daemon.port());
    REQUIRE(first.http().open_stream("GET", "/v1/sessions/" + id + "/events", {}, {}).status == 200);
    REQUIRE(second.http().open_stream("GET", "/v1/sessions/" + id + "/events", {}, {}).status == 200);

    const auto sent = api.stream("POST", "/v1/sessions/" + id + "/messages", send_body("a b c d e f", true));
    REQUIRE(sent.events.size() >= 4);
    for (auto* watcher : {&first, &second}) {
        for (const auto& expected : sent.events) {
            const auto read = watcher->http().next_event();
            REQUIRE(read.status == StreamStatus::event);
            CHECK(read.event.id == expected.id);
            CHECK(read.event.data == expected.data);
        }
    }
}

TEST_CASE("interrupt over REST stops a streaming turn and stores the partial reply", "[integration][rest][sse]") {
    auto daemon = start();
    ApiClient api(daemon.port());
    const auto id = api.create_session("slow");
    const auto head = api.http().open_stream("POST", "/v1/sessions/" + id + "/messages",
                                             send_body(long_message(), true), api.headers());
    REQUIRE(head.status == 200);
    std::string streamed;
    for (;;) {
        const auto read = api.http().next_event();
        REQUIRE(read.status == StreamStatus::event);
        if (read.event.event == "message.delta") {
            streamed += std::string(json::parse(read.event.data).at("delta").as_string());
            break;
        }
    }

    ApiClient other(daemon.port());
    const auto started = std::chrono::steady_clock::now();
    const auto interrupted = other.call("POST", "/v1/sessions/" + id + "/interrupt");
    REQUIRE(interrupted.status == 202);
    CHECK(interrupted.body.at("interrupted").as_bool());

    json::object terminal;
    for (;;) {
        const auto read = api.http().next_event();
        REQUIRE(read.status == StreamStatus::event);
        const auto event = json::parse(read.event.data).as_object();
        if (read.event.event == "message.delta") {
            streamed += std::string(event.at("delta").as_string());
            continue;
        }
        REQUIRE(read.event.event == "turn.interrupted");
        terminal = event;
        break;
    }
    CHECK(std::chrono::steady_clock::now() - started < 1s);
    CHECK(api.http().next_event().status != StreamStatus::event);  // the stream ends after the terminal event
    REQUIRE(terminal.contains("message"));
    CHECK(terminal.at("message").at("status").as_string() == "interrupted");
    CHECK(terminal.at("message").at("content").as_string() == streamed);

    const auto stored = other.call("GET", "/v1/sessions/" + id + "/messages");
    const auto& messages = stored.body.at("data").as_array();
    REQUIRE(messages.size() == 2);
    CHECK(messages[1].at("status").as_string() == "interrupted");
    CHECK(messages[1].at("content").as_string() == streamed);
    CHECK(other.call("GET", "/v1/sessions/" + id).body.at("status").as_string() == "idle");

    const auto idle = other.call("POST", "/v1/sessions/" + id + "/interrupt");
    REQUIRE(idle.status == 202);
    CHECK_FALSE(idle.body.at("interrupted").as_bool());
    require_error(other.call("POST", "/v1/sessions/ses_none/interrupt"), 404, "session_not_found");
}

TEST_CASE("a client that leaves a stream does not stop the turn", "[integration][rest][sse]") {
    auto daemon = start();
    ApiClient api(daemon.port());
    const auto id = api.create_session("slow");
    REQUIRE(api.http()
                .open_stream("POST", "/v1/sessions/" + id + "/messages", send_body("one two three four", true),
                             api.headers())
                .status == 200);
    REQUIRE(api.http().next_event().status == StreamStatus::event);
    api.http().close();

    ApiClient watcher(daemon.port());
    for (int attempt = 0; attempt < 100; ++attempt) {
        const auto stored = watcher.call("GET", "/v1/sessions/" + id + "/messages");
        const auto& messages = stored.body.at("data").as_array();
        if (messages.size() == 2) {
            CHECK(messages[1].at("content").as_string() == "echo: one two three four");
            CHECK(messages[1].at("status").as_string() == "complete");
            return;
        }
        std::this_thread::sleep_for(50ms);
    }
    FAIL("the turn did not complete after its client left");
}

TEST_CASE("busy policies reject queue and interrupt", "[integration][rest]") {
    auto daemon = start();
    ApiClient api(daemon.port());

    SECTION("reject answers 409 while a turn runs") {
        const auto id = api.create_session("strict");
        REQUIRE(
            api.http()
                .open_stream("POST", "/v1/sessions/" + id + "/messages", send_body(long_message(), true), api.headers())
                .status == 200);
        REQUIRE(api.http().next_event().event.event == "turn.started");
        ApiClient other(daemon.port());
        require_error(other.call("POST", "/v1/sessions/" + id + "/messages", send_body("me too", false)), 409,
                      "turn_in_progress");
        REQUIRE(other.call("POST", "/v1/sessions/" + id + "/interrupt").status == 202);
    }

    SECTION("queue accepts up to 8 waiting then answers 429 queue_full") {
        const auto id = api.create_session("slow");
        REQUIRE(
            api.http()
                .open_stream("POST", "/v1/sessions/" + id + "/messages", send_body(long_message(), true), api.headers())
                .status == 200);
        REQUIRE(api.http().next_event().event.event == "turn.started");

        ApiClient queued(daemon.port());
        const auto head = queued.http().open_stream("POST", "/v1/sessions/" + id + "/messages",
                                                    send_body("waiting", true), queued.headers());
        REQUIRE(head.status == 200);
        const auto first = queued.http().next_event();
        REQUIRE(first.status == StreamStatus::event);
        CHECK(first.event.event == "turn.queued");
        CHECK(json::parse(first.event.data).at("user_message").at("content").as_string() == "waiting");

        std::vector<std::unique_ptr<ApiClient>> waiting;
        for (int i = 0; i < 7; ++i) {
            waiting.push_back(std::make_unique<ApiClient>(daemon.port()));
            REQUIRE(waiting.back()
                        ->http()
                        .open_stream("POST", "/v1/sessions/" + id + "/messages",
                                     send_body("w" + std::to_string(i), true), {})
                        .status == 200);
            REQUIRE(waiting.back()->http().next_event().event.event == "turn.queued");
        }
        ApiClient ninth(daemon.port());
        const auto full = ninth.call("POST", "/v1/sessions/" + id + "/messages", send_body("too many", false));
        require_error(full, 429, "queue_full");
        CHECK(full.raw.header("retry-after") == "1");
        // Interrupting the running turn lets the queued one start.
        REQUIRE(ninth.call("POST", "/v1/sessions/" + id + "/interrupt").status == 202);
        queued.http().set_timeout(10s);
        const auto started = queued.http().next_event();
        REQUIRE(started.status == StreamStatus::event);
        CHECK(started.event.event == "turn.started");
    }

    SECTION("interrupt stops the running turn for the new message") {
        const auto id = api.create_session("impatient");
        REQUIRE(
            api.http()
                .open_stream("POST", "/v1/sessions/" + id + "/messages", send_body(long_message(), true), api.headers())
                .status == 200);
        REQUIRE(api.http().next_event().event.event == "turn.started");
        // Interrupted once it has text, so that a partial message is stored.
        REQUIRE(api.http().next_event().event.event == "message.delta");
        ApiClient other(daemon.port());
        const auto reply = other.call("POST", "/v1/sessions/" + id + "/messages", send_body("now this", false));
        REQUIRE(reply.status == 200);
        CHECK(reply.body.at("status").as_string() == "completed");
        const auto stored = other.call("GET", "/v1/sessions/" + id + "/messages");
        const auto& messages = stored.body.at("data").as_array();
        REQUIRE(messages.size() == 4);
        CHECK(messages[1].at("status").as_string() == "interrupted");
        CHECK(messages[3].at("content").as_string() == "echo: now this");
        for (;;) {
            const auto read = api.http().next_event();
            REQUIRE(read.status == StreamStatus::event);
            if (read.event.event != "message.delta") {
                CHECK(read.event.event == "turn.interrupted");
                break;
            }
        }
    }
}

// Each session running a turn keeps its one agent, also when more of them run
// than the agent cache holds: the busy policy sees the turn that runs.
TEST_CASE("reject holds while more sessions run turns than the agent cache holds", "[integration][rest]") {
    auto daemon = start("[agent_cache]\nmax_entries = 1\n");
    ApiClient api(daemon.port());
    const std::vector<std::string> ids{api.create_session("strict"), api.create_session("strict")};
    std::vector<std::unique_ptr<ApiClient>> streaming;
    for (const auto& id : ids) {
        streaming.push_back(std::make_unique<ApiClient>(daemon.port()));
        auto& client = *streaming.back();
        REQUIRE(client.http()
                    .open_stream("POST", "/v1/sessions/" + id + "/messages", send_body(long_message(), true),
                                 client.headers())
                    .status == 200);
        REQUIRE(client.http().next_event().event.event == "turn.started");
    }
    for (const auto& id : ids) {
        INFO(id);
        require_error(api.call("POST", "/v1/sessions/" + id + "/messages", send_body("me too", false)), 409,
                      "turn_in_progress");
        CHECK(api.call("GET", "/v1/sessions/" + id).body.at("status").as_string() == "running");
    }
    for (const auto& id : ids) {
        CHECK(api.call("POST", "/v1/sessions/" + id + "/interrupt").status == 202);
    }
    for (auto& client : streaming) {
        bool interrupted = false;
        for (auto next = client->http().next_event(); next.status == StreamStatus::event && !interrupted;
             next = client->http().next_event()) {
            interrupted = next.event.event == "turn.interrupted";
        }
        CHECK(interrupted);
    }
}

TEST_CASE("todos and search reflect the conversation", "[integration][rest]") {
    auto daemon = start();
    ApiClient api(daemon.port());
    const auto id = api.create_session("assistant");
    const auto tool_call =
        R"({"content":"/tool todo {\"todos\":[{\"id\":\"1\",\"content\":\"buy milk\",\"status\":\"pending\"}]}"})";
    const auto reply = api.call("POST", "/v1/sessions/" + id + "/messages", tool_call);
    REQUIRE(reply.status == 200);
    CHECK(reply.body.at("status").as_string() == "completed");

    const auto todos = api.call("GET", "/v1/sessions/" + id + "/todos");
    REQUIRE(todos.status == 200);
    const auto& data = todos.body.at("data").as_array();
    REQUIRE(data.size() == 1);
    CHECK(data[0].at("content").as_string() == "buy milk");
    CHECK(data[0].at("status").as_string() == "pending");

    REQUIRE(api.call("POST", "/v1/sessions/" + id + "/messages", send_body("zebra crossing", false)).status == 200);
    const auto hits = api.call("GET", "/v1/search?q=zebra&limit=5");
    REQUIRE(hits.status == 200);
    const auto& found = hits.body.at("data").as_array();
    REQUIRE(found.size() == 2);  // the user message and its echo
    for (const auto& hit : found) {
        CHECK(hit.at("session_id").as_string() == id);
        CHECK(hit.at("snippet").as_string().find("zebra") != std::string::npos);
    }
    require_error(api.call("GET", "/v1/sessions/ses_none/todos"), 404, "session_not_found");
}

// --- auth and tenancy ---------------------------------------------------------

constexpr std::string_view kKeys = R"(
[[auth.keys]]
name = "a"
tenant = "acme"
key_env = "TEST_KEY_A"
[[auth.keys]]
name = "b"
tenant = "globex"
key_env = "TEST_KEY_B"
[[auth.keys]]
name = "ops"
tenant = "acme"
key_env = "TEST_KEY_OPS"
admin = true
[[auth.keys]]
name = "limited"
tenant = "acme"
key_env = "TEST_KEY_LIMITED"
rate_limit_per_second = 0.2
rate_limit_burst = 3
)";

std::map<std::string, std::string> key_env() {
    return {{"TEST_KEY_A", "key-a"},
            {"TEST_KEY_B", "key-b"},
            {"TEST_KEY_OPS", "key-ops"},
            {"TEST_KEY_LIMITED", "key-limited"}};
}

TEST_CASE("keys are required and every route is scoped to the key's tenant", "[integration][rest][auth]") {
    auto daemon = start(kKeys, key_env());
    ApiClient anonymous(daemon.port());
    ApiClient wrong(daemon.port(), "not-a-key");
    ApiClient acme(daemon.port(), "key-a");
    ApiClient globex(daemon.port(), "key-b");

    CHECK(anonymous.call("GET", "/healthz").status == 200);
    require_error(anonymous.call("GET", "/v1/sessions"), 401, "invalid_api_key");
    require_error(wrong.call("GET", "/v1/sessions"), 401, "invalid_api_key");
    CHECK(anonymous.call("GET", "/v1/sessions").body.at("error").at("type").as_string() == "authentication_error");

    const auto id = acme.create_session("assistant");
    REQUIRE(acme.call("POST", "/v1/sessions/" + id + "/messages", send_body("acme secret plan", false)).status == 200);

    require_error(globex.call("GET", "/v1/sessions/" + id), 404, "session_not_found");
    require_error(globex.call("GET", "/v1/sessions/" + id + "/messages"), 404, "session_not_found");
    require_error(globex.call("GET", "/v1/sessions/" + id + "/events?after_seq=0"), 404, "session_not_found");
    require_error(globex.call("GET", "/v1/sessions/" + id + "/todos"), 404, "session_not_found");
    require_error(globex.call("POST", "/v1/sessions/" + id + "/messages", send_body("hijack", false)), 404,
                  "session_not_found");
    require_error(globex.call("POST", "/v1/sessions/" + id + "/interrupt"), 404, "session_not_found");
    require_error(globex.call("PATCH", "/v1/sessions/" + id, R"({"title":"mine"})"), 404, "session_not_found");
    require_error(globex.call("DELETE", "/v1/sessions/" + id), 404, "session_not_found");
    CHECK(globex.call("GET", "/v1/sessions").body.at("data").as_array().empty());
    CHECK(globex.call("GET", "/v1/search?q=secret").body.at("data").as_array().empty());

    CHECK(acme.call("GET", "/v1/search?q=secret").body.at("data").as_array().size() == 2);
    CHECK(acme.call("GET", "/v1/sessions").body.at("data").as_array().size() == 1);
    // The browser form of the key.
    ApiClient by_query(daemon.port());
    CHECK(by_query.call("GET", "/v1/sessions/" + id + "?access_token=key-a").status == 200);
    CHECK(daemon.output().find("key-a") == std::string::npos);
}

TEST_CASE("a rate-limited key gets 429 with Retry-After", "[integration][rest][auth]") {
    auto daemon = start(kKeys, key_env());
    ApiClient limited(daemon.port(), "key-limited");
    for (int i = 0; i < 3; ++i) {
        CHECK(limited.call("GET", "/v1/agents").status == 200);
    }
    const auto refused = limited.call("GET", "/v1/agents");
    require_error(refused, 429, "rate_limited");
    CHECK(std::stoi(refused.raw.header("retry-after")) >= 1);
    // Another key of the same tenant has its own bucket.
    ApiClient other(daemon.port(), "key-a");
    CHECK(other.call("GET", "/v1/agents").status == 200);
}

TEST_CASE("metrics behind the admin key when configured", "[integration][rest][auth][metrics]") {
    auto daemon = start(std::string(kKeys) + "\n", key_env());
    ApiClient open(daemon.port());
    CHECK(open.http().request("GET", "/metrics").status == 200);  // metrics_require_key defaults to false

    std::string protected_config(kAgents);
    protected_config.replace(protected_config.find("[storage]"), 0, "metrics_require_key = true\n");
    ParleydProcess guarded({protected_config + std::string(kKeys), key_env(), {}, true});
    ApiClient anonymous(guarded.port());
    ApiClient tenant(guarded.port(), "key-a");
    ApiClient admin(guarded.port(), "key-ops");
    require_error(anonymous.call("GET", "/metrics"), 401, "invalid_api_key");
    require_error(tenant.call("GET", "/metrics"), 403, "admin_key_required");
    CHECK(admin.http().request("GET", "/metrics", {}, admin.headers()).status == 200);
}

// --- /metrics -------------------------------------------------------------------

// name{labels} -> value, from the text exposition format.
std::map<std::string, double> parse_samples(const std::string& text) {
    std::map<std::string, double> samples;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line.front() == '#') {
            continue;
        }
        const auto space = line.rfind(' ');
        REQUIRE(space != std::string::npos);
        samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return samples;
}

TEST_CASE("metrics lists every family API.md names and counts requests", "[integration][rest][metrics]") {
    auto daemon = start();
    ApiClient api(daemon.port());
    const auto id = api.create_session("assistant");
    REQUIRE(api.call("POST", "/v1/sessions/" + id + "/messages", send_body("count me", false)).status == 200);
    require_error(api.call("GET", "/v1/sessions/ses_none"), 404, "session_not_found");

    const auto reply = api.http().request("GET", "/metrics");
    REQUIRE(reply.status == 200);
    CHECK(reply.header("content-type").starts_with("text/plain; version=0.0.4"));
    for (const auto* family :
         {"parley_http_requests_total", "parley_http_request_duration_seconds", "parley_ws_connections",
          "parley_turns_active", "parley_turns_total", "parley_agent_cache_hits_total",
          "parley_agent_cache_misses_total", "parley_agent_cache_evictions_total", "parley_agent_cache_entries",
          "parley_writer_queue_depth", "parley_writer_batch_size", "parley_writer_commit_duration_seconds",
          "parley_upstream_requests_total", "parley_upstream_first_token_seconds"}) {
        INFO(family);
        CHECK(reply.body.find(std::string("# TYPE ") + family + " ") != std::string::npos);
    }
    const auto samples = parse_samples(reply.body);
    CHECK(samples.at(R"(parley_http_requests_total{route="/v1/sessions",status="201"})") == 1);
    CHECK(samples.at(R"(parley_http_requests_total{route="/v1/sessions/{id}",status="404"})") == 1);
    CHECK(samples.at(R"(parley_http_request_duration_seconds_count{route="/v1/sessions/{id}/messages"})") == 1);
    CHECK(samples.at(R"(parley_turns_total{outcome="completed"})") == 1);
    CHECK(samples.at("parley_turns_active") == 0);
    CHECK(samples.at("parley_agent_cache_entries") == 1);
    // The session's agent was cached when it was created: its send was a hit.
    CHECK(samples.at("parley_agent_cache_hits_total") >= 1);
    CHECK(samples.at("parley_agent_cache_misses_total") == 0);
    CHECK(samples.at("parley_writer_batch_size_count") >= 2);
    CHECK(samples.at(R"(parley_writer_batch_size_bucket{le="+Inf"})") == samples.at("parley_writer_batch_size_count"));
}

}  // namespace
