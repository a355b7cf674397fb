// GET /v1/ws against the real parleyd: every client frame, fan-out to several
// connections, resume, interrupts, errors, limits, auth and shutdown.
#include <csignal>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "tests/integration/parleyd_process.hpp"
#include "tests/integration/ws_client.hpp"
#include "tests/support/http_client.hpp"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using parley::testing::ParleydProcess;
using parley::testing::WsClient;
using namespace std::chrono_literals;

// `fast` streams as fast as it can; `slow` a word every 50 ms; `strict` refuses
// a second message while a turn runs.
constexpr std::string_view kConfig = R"(
[server]
listen = "127.0.0.1:0"
io_threads = 2
shutdown_grace_seconds = 3
[storage]
path = ":memory:"
[providers.fast]
kind = "mock"
tokens_per_second = 0
[providers.slow]
kind = "mock"
tokens_per_second = 20
[agents.fast]
provider = "fast"
[agents.slow]
provider = "slow"
[agents.strict]
provider = "slow"
busy_policy = "reject"
)";

std::string config_with(std::string_view extra, std::string_view stream = {}) {
    return std::string(kConfig) + "[stream]\nretained_events = 16\n" + std::string(stream) + std::string(extra);
}

http::response<http::string_body> request(std::uint16_t port, http::verb method, std::string_view target,
                                          std::string_view key = {}) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!key.empty()) {
        req.set(http::field::authorization, "Bearer " + std::string(key));
    }
    req.prepare_payload();
    http::write(socket, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    return response;
}

std::string create_session(WsClient& client, std::string_view agent) {
    client.send(json::object{{"type", "create_session"}, {"agent", agent}});
    const auto frame = client.read_until("session");
    return std::string(frame.at("session").at("id").as_string());
}

// Every frame up to and including the session's next terminal event.
std::vector<json::object> read_turn(WsClient& client) {
    std::vector<json::object> frames;
    for (;;) {
        auto frame = client.read();
        REQUIRE(frame);
        const auto type = std::string(frame->at("type").as_string());
        frames.push_back(std::move(*frame));
        if (type == "turn.completed" || type == "turn.interrupted" || type == "turn.failed") {
            return frames;
        }
    }
}

std::vector<std::uint64_t> seqs(const std::vector<json::object>& frames) {
    std::vector<std::uint64_t> result;
    for (const auto& frame : frames) {
        if (frame.contains("seq")) {
            result.push_back(frame.at("seq").to_number<std::uint64_t>());
        }
    }
    return result;
}

std::string deltas(const std::vector<json::object>& frames) {
    std::string text;
    for (const auto& frame : frames) {
        if (frame.at("type") == "message.delta") {
            text += frame.at("delta").as_string();
        }
    }
    return text;
}

std::string words(int count) {
    std::string text;
    for (int i = 0; i < count; ++i) {
        text += i == 0 ? "w0" : " w" + std::to_string(i);
    }
    return text;
}

std::string text(const json::value& value) {
    return value.is_string() ? std::string(value.as_string()) : json::serialize(value);
}

bool strictly_increasing(const std::vector<std::uint64_t>& values) {
    for (std::size_t i = 1; i < values.size(); ++i) {
        if (values[i] <= values[i - 1]) {
            return false;
        }
    }
    return true;
}

}  // namespace

// The WebSocket session takes the socket at the upgrade and the HTTP
// connection ends then (an idle connection keeps none of its memory): its
// access line is written while the WebSocket is still open, which serves on.
TEST_CASE("the HTTP connection ends at the upgrade and the WebSocket serves on", "[integration][websocket]") {
    ParleydProcess daemon({config_with(""), {}, {}, true});
    WsClient client(daemon.port());
    REQUIRE(client.status() == 101);
    CHECK(daemon.wait_for_output("access GET /v1/ws 101", 5s));

    client.send(R"({"type":"ping","ref":"after"})");
    CHECK(client.read_until("pong").at("ref") == "after");
}

TEST_CASE("every client frame type gets its answer over one connection", "[integration][websocket]") {
    ParleydProcess daemon({config_with(""), {}, {}, true});
    WsClient client(daemon.port());
    REQUIRE(client.status() == 101);

    client.send(R"({"type":"ping","ref":"p1"})");
    const auto pong = client.read_until("pong");
    CHECK(pong.at("ref") == "p1");

    client.send(R"({"type":"create_session","agent":"fast","title":"chat","ref":{"n":1}})");
    const auto created = client.read_until("session");
    CHECK(created.at("ref") == json::parse(R"({"n":1})"));
    const auto& session = created.at("session").as_object();
    const auto session_id = std::string(session.at("id").as_string());
    CHECK(session_id.starts_with("ses_"));
    CHECK(session.at("agent") == "fast");
    CHECK(session.at("title") == "chat");
    CHECK(session.at("last_seq") == 0);

    client.send(json::object{{"type", "subscribe"}, {"session_id", session_id}});
    const auto subscribed = client.read_until("subscribed");
    CHECK(text(subscribed.at("session_id")) == session_id);
    CHECK(subscribed.at("last_seq") == 0);

    client.send(json::object{{"type", "send"}, {"session_id", session_id}, {"content", "hello there"}, {"ref", 7}});
    const auto accepted = client.read();
    REQUIRE(accepted);
    CHECK(accepted->at("type") == "accepted");
    CHECK(accepted->at("ref") == 7);
    CHECK(text(accepted->at("session_id")) == session_id);
    const auto turn_id = text(accepted->at("turn_id"));
    const auto turn = read_turn(client);
    CHECK(turn.front().at("type") == "turn.started");
    CHECK(turn.back().at("type") == "turn.completed");
    CHECK(deltas(turn) == "echo: hello there");
    for (const auto& event : turn) {
        CHECK(text(event.at("turn_id")) == turn_id);
        CHECK(text(event.at("session_id")) == session_id);
    }
    const auto numbers = seqs(turn);
    CHECK(numbers.front() == 1);
    CHECK(strictly_increasing(numbers));

    client.send(json::object{{"type", "interrupt"}, {"session_id", session_id}, {"ref", "i"}});
    const auto interrupted = client.read_until("interrupted");
    CHECK(interrupted.at("interrupted") == false);
    CHECK(interrupted.at("ref") == "i");

    client.send(json::object{{"type", "unsubscribe"}, {"session_id", session_id}});
    CHECK(text(client.read_until("unsubscribed").at("session_id")) == session_id);

    SECTION("a plain GET on /v1/ws is told to upgrade") {
        const auto plain = request(daemon.port(), http::verb::get, "/v1/ws");
        CHECK(plain.result() == http::status::upgrade_required);
    }
    SECTION("parley_ws_connections counts open connections") {
        const auto metrics = request(daemon.port(), http::verb::get, "/metrics");
        CHECK(metrics.body().find("parley_ws_connections 1") != std::string::npos);
    }
}

TEST_CASE("two connections on one session both receive every event in order", "[integration][websocket]") {
    ParleydProcess daemon({config_with(""), {}, {}, true});
    WsClient sender(daemon.port());
    WsClient watcher(daemon.port());
    const auto session_id = create_session(sender, "fast");
    watcher.send(json::object{{"type", "subscribe"}, {"session_id", session_id}});
    (void)watcher.read_until("subscribed");

    const auto content = words(40);
    sender.send(json::object{{"type", "send"}, {"session_id", session_id}, {"content", content}});
    const auto accepted = sender.read();
    REQUIRE(accepted);
    REQUIRE(accepted->at("type") == "accepted");
    const auto sent = read_turn(sender);
    const auto watched = read_turn(watcher);
    CHECK(deltas(sent) == "echo: " + content);
    CHECK(deltas(watched) == "echo: " + content);
    CHECK(seqs(sent) == seqs(watched));
    CHECK(strictly_increasing(seqs(watched)));
    CHECK(watched.front().at("type") == "turn.started");
    // The watcher gets no accepted frame: only the sender does.
    for (const auto& frame : watched) {
        CHECK(frame.at("type") != "accepted");
    }

    SECTION("a second message from the watcher reaches the sender too") {
        watcher.send(json::object{{"type", "send"}, {"session_id", session_id}, {"content", "second"}});
        CHECK(text(watcher.read_until("accepted").at("session_id")) == session_id);
        const auto at_sender = read_turn(sender);
        const auto at_watcher = read_turn(watcher);
        CHECK(deltas(at_sender) == "echo: second");
        CHECK(seqs(at_sender) == seqs(at_watcher));
        CHECK(seqs(at_sender).front() == seqs(sent).back() + 1);
    }
}

TEST_CASE("subscribe with after_seq replays retained events and answers resync past them", "[integration][websocket]") {
    ParleydProcess daemon({config_with(""), {}, {}, true});
    WsClient client(daemon.port());
    const auto session_id = create_session(client, "fast");
    client.send(json::object{{"type", "send"}, {"session_id", session_id}, {"content", "one two three"}});
    (void)client.read_until("accepted");
    const auto turn = read_turn(client);
    const auto last_seq = seqs(turn).back();
    REQUIRE(last_seq < 16);

    WsClient resumed(daemon.port());
    resumed.send(json::object{{"type", "subscribe"}, {"session_id", session_id}, {"after_seq", 2}, {"ref", "r"}});
    const auto subscribed = resumed.read();
    REQUIRE(subscribed);
    CHECK(subscribed->at("type") == "subscribed");
    CHECK(subscribed->at("last_seq") == last_seq);
    const auto replayed = resumed.sync();
    std::vector<std::uint64_t> expected;
    for (auto seq = std::uint64_t{3}; seq <= last_seq; ++seq) {
        expected.push_back(seq);
    }
    CHECK(seqs(replayed) == expected);

    SECTION("events no longer retained: resync, and not subscribed") {
        client.send(json::object{{"type", "send"}, {"session_id", session_id}, {"content", words(30)}});
        (void)client.read_until("accepted");
        const auto long_turn = read_turn(client);
        (void)read_turn(resumed);  // the live subscriber saw it all

        WsClient late(daemon.port());
        late.send(json::object{{"type", "subscribe"}, {"session_id", session_id}, {"after_seq", 1}, {"ref", 5}});
        const auto resync = late.read();
        REQUIRE(resync);
        CHECK(resync->at("type") == "resync");
        CHECK(text(resync->at("session_id")) == session_id);
        CHECK(resync->at("ref") == 5);
        // Subscribing without after_seq then gets live events only.
        late.send(json::object{{"type", "subscribe"}, {"session_id", session_id}});
        const auto live = late.read_until("subscribed");
        CHECK(live.at("last_seq") == seqs(long_turn).back());
        CHECK(late.sync().empty());
    }
}

TEST_CASE("interrupt over WebSocket stops the running turn", "[integration][websocket]") {
    ParleydProcess daemon({config_with(""), {}, {}, true});
    WsClient client(daemon.port());
    const auto session_id = create_session(client, "slow");
    client.send(json::object{{"type", "send"}, {"session_id", session_id}, {"content", words(200)}});
    (void)client.read_until("accepted");
    (void)client.read_until("message.delta");
    client.send(json::object{{"type", "interrupt"}, {"session_id", session_id}, {"ref", "stop"}});
    std::vector<json::object> frames;
    const auto interrupted = client.read_until("interrupted", &frames);
    CHECK(interrupted.at("interrupted") == true);
    const auto ended = client.read_until("turn.interrupted");
    CHECK(text(ended.at("session_id")) == session_id);
}

TEST_CASE("send errors name the code and echo ref and session_id", "[integration][websocket]") {
    ParleydProcess daemon({config_with(""), {}, {}, true});
    WsClient client(daemon.port());

    SECTION("content_too_long") {
        const auto session_id = create_session(client, "fast");
        client.send(json::object{
            {"type", "send"}, {"session_id", session_id}, {"content", std::string(257 * 1024, 'x')}, {"ref", "big"}});
        const auto error = client.read_until("error");
        CHECK(error.at("code") == "content_too_long");
        CHECK(error.at("ref") == "big");
        CHECK(text(error.at("session_id")) == session_id);
    }
    SECTION("session_not_found") {
        client.send(R"({"type":"send","session_id":"ses_nope","content":"hi","ref":1})");
        const auto error = client.read_until("error");
        CHECK(error.at("code") == "session_not_found");
        CHECK(error.at("session_id") == "ses_nope");
        CHECK(error.at("ref") == 1);
        client.send(R"({"type":"subscribe","session_id":"ses_nope"})");
        CHECK(client.read_until("error").at("code") == "session_not_found");
        client.send(R"({"type":"interrupt","session_id":"ses_nope"})");
        CHECK(client.read_until("error").at("code") == "session_not_found");
    }
    SECTION("turn_in_progress under the reject policy") {
        const auto session_id = create_session(client, "strict");
        client.send(json::object{{"type", "send"}, {"session_id", session_id}, {"content", words(100)}});
        (void)client.read_until("accepted");
        client.send(json::object{{"type", "send"}, {"session_id", session_id}, {"content", "again"}, {"ref", 2}});
        const auto error = client.read_until("error");
        CHECK(error.at("code") == "turn_in_progress");
        CHECK(error.at("ref") == 2);
    }
    SECTION("queue_full after 8 waiting messages") {
        const auto session_id = create_session(client, "slow");
        for (int i = 0; i < 9; ++i) {
            client.send(json::object{{"type", "send"}, {"session_id", session_id}, {"content", words(100)}});
            (void)client.read_until("accepted");
        }
        client.send(json::object{{"type", "send"}, {"session_id", session_id}, {"content", "one too many"}});
        CHECK(client.read_until("error").at("code") == "queue_full");
    }
}

TEST_CASE("malformed and unknown frames get an error frame and the connection stays open", "[integration][websocket]") {
    ParleydProcess daemon({config_with(""), {}, {}, true});
    WsClient client(daemon.port());
    client.send("this is not json");
    CHECK(client.read_until("error").at("code") == "invalid_json");
    client.send("[1,2,3]");
    CHECK(client.read_until("error").at("code") == "invalid_json");
    client.send(R"({"type":"dance","ref":"d"})");
    auto unknown = client.read_until("error");
    CHECK(unknown.at("code") == "unknown_type");
    CHECK(unknown.at("ref") == "d");
    client.send(R"({"ref":3})");
    auto untyped = client.read_until("error");
    CHECK(untyped.at("code") == "missing_field");
    CHECK(untyped.at("ref") == 3);
    client.send(R"({"type":"subscribe"})");
    CHECK(client.read_until("error").at("code") == "missing_field");
    client.send(R"({"type":"send","session_id":"ses_x"})");
    auto no_content = client.read_until("error");
    CHECK(no_content.at("code") == "missing_field");
    CHECK(no_content.at("session_id") == "ses_x");
    client.send(R"({"type":"subscribe","session_id":"ses_x","after_seq":"soon"})");
    CHECK(client.read_until("error").at("code") == "invalid_field");
    client.send(R"({"type":"create_session"})");
    CHECK(client.read_until("error").at("code") == "missing_field");
    client.send(R"({"type":"create_session","agent":"nobody"})");
    CHECK(client.read_until("error").at("code") == "agent_not_found");
    CHECK(client.sync().empty());
    CHECK(client.is_open());
}

TEST_CASE("a frame over 1 MiB closes the connection with 1009", "[integration][websocket]") {
    ParleydProcess daemon({config_with(""), {}, {}, true});
    WsClient client(daemon.port());
    const std::string large(1024 * 1024 + 1, 'x');
    (void)client.try_send(large);
    CHECK(client.wait_for_close() == 1009);

    SECTION("a frame of exactly 1 MiB is read (and refused as JSON)") {
        WsClient other(daemon.port());
        other.send(std::string(1024 * 1024, ' '));
        CHECK(other.read_until("error").at("code") == "invalid_json");
    }
}

TEST_CASE("the 65th subscription on one connection is refused", "[integration][websocket]") {
    ParleydProcess daemon({config_with(""), {}, {}, true});
    WsClient client(daemon.port());
    std::vector<std::string> sessions;
    for (int i = 0; i < 66; ++i) {
        sessions.push_back(create_session(client, "fast"));
    }
    for (int i = 0; i < 64; ++i) {
        client.send(json::object{{"type", "subscribe"}, {"session_id", sessions[i]}});
        (void)client.read_until("subscribed");
    }
    client.send(json::object{{"type", "subscribe"}, {"session_id", sessions[64]}, {"ref", 65}});
    auto refused = client.read_until("error");
    CHECK(refused.at("code") == "too_many_subscriptions");
    CHECK(text(refused.at("session_id")) == sessions[64]);
    CHECK(refused.at("ref") == 65);

    // Sending to a new session would subscribe a 65th: not accepted.
    client.send(json::object{{"type", "send"}, {"session_id", sessions[65]}, {"content", "hi"}});
    CHECK(client.read_until("error").at("code") == "too_many_subscriptions");

    // After an unsubscribe there is room again.
    client.send(json::object{{"type", "unsubscribe"}, {"session_id", sessions[0]}});
    (void)client.read_until("unsubscribed");
    client.send(json::object{{"type", "send"}, {"session_id", sessions[65]}, {"content", "hi"}});
    (void)client.read_until("accepted");
    CHECK(deltas(read_turn(client)) == "echo: hi");
}

TEST_CASE("WebSocket upgrades need a key when keys are configured", "[integration][websocket]") {
    const std::string keys = R"(
[[auth.keys]]
name = "acme"
tenant = "acme"
key_env = "WS_TEST_ACME_KEY"
[[auth.keys]]
name = "globex"
tenant = "globex"
key_env = "WS_TEST_GLOBEX_KEY"
)";
    ParleydProcess daemon(
        {config_with(keys), {{"WS_TEST_ACME_KEY", "sk-acme-secret"}, {"WS_TEST_GLOBEX_KEY", "sk-globex"}}, {}, true});

    WsClient anonymous(daemon.port());
    CHECK(anonymous.status() == 401);
    WsClient wrong(daemon.port(), {"/v1/ws?access_token=sk-wrong", {}});
    CHECK(wrong.status() == 401);

    WsClient acme(daemon.port(), {"/v1/ws", {{"Authorization", "Bearer sk-acme-secret"}}});
    REQUIRE(acme.status() == 101);
    WsClient browser(daemon.port(), {"/v1/ws?access_token=sk-acme-secret", {}});
    REQUIRE(browser.status() == 101);
    WsClient globex(daemon.port(), {"/v1/ws?access_token=sk-globex", {}});
    REQUIRE(globex.status() == 101);

    const auto session_id = create_session(acme, "fast");
    browser.send(json::object{{"type", "subscribe"}, {"session_id", session_id}});
    (void)browser.read_until("subscribed");

    // Another tenant's session does not exist for globex.
    for (const auto* type : {"subscribe", "send", "interrupt"}) {
        globex.send(json::object{{"type", type}, {"session_id", session_id}, {"content", "hi"}});
        const auto error = globex.read_until("error");
        CHECK(error.at("code") == "session_not_found");
    }
    (void)acme.sync();
    CHECK(daemon.output().find("sk-acme-secret") == std::string::npos);
    CHECK(daemon.output().find("sk-globex") == std::string::npos);
}

TEST_CASE("shutdown closes WebSocket connections with 1001", "[integration][websocket]") {
    ParleydProcess daemon({config_with(""), {}, {}, true});
    WsClient subscribed(daemon.port());
    WsClient idle(daemon.port());
    const auto session_id = create_session(subscribed, "fast");
    subscribed.send(json::object{{"type", "subscribe"}, {"session_id", session_id}});
    (void)subscribed.read_until("subscribed");
    CHECK(idle.sync().empty());

    daemon.send_signal(SIGTERM);
    CHECK(subscribed.wait_for_close() == 1001);
    CHECK(idle.wait_for_close() == 1001);
    CHECK(daemon.wait_for_exit(10s) == 0);
}

namespace {

// A connection that stops reading while its session produces far more than
// the socket buffers hold falls behind its bound (8 events here) and, once it
// reads again, finds the frames sent so far and then the close 1008.
TEST_CASE("a websocket client that stops reading is closed with 1008", "[integration][ws]") {
    ParleydProcess daemon({config_with("", "subscriber_queue = 8\n"), {}, {}, true});
    WsClient::Options options;
    options.receive_buffer = 4096;
    WsClient slow(daemon.port(), options);
    REQUIRE(slow.status() == 101);
    const auto id = create_session(slow, "fast");
    slow.send(json::object{{"type", "subscribe"}, {"session_id", id}});
    (void)slow.read_until("subscribed");

    // Each turn carries its 64 KiB message in turn.started and message.completed:
    // 200 turns are 25 MiB of frames that cannot be merged, far past what the
    // kernel buffers between the two sockets.
    const std::string content(64 * 1024, 'z');
    parley::testing::HttpClient sender(daemon.port());
    const auto body = json::serialize(json::object{{"content", content}});
    for (int i = 0; i < 200; ++i) {
        REQUIRE(sender.request("POST", "/v1/sessions/" + id + "/messages", body).status == 200);
    }
    CHECK(slow.wait_for_close() == 1008);

    // The session is intact and the client can resume.
    WsClient again(daemon.port());
    again.send(json::object{{"type", "subscribe"}, {"session_id", id}});
    CHECK(again.read_until("subscribed").at("last_seq").as_int64() > 0);
}

}  // namespace
