// Throws random and malformed requests at the real parleyd, then checks that
// it still serves every route and that no stored row changed.
#include <sys/socket.h>

#include <algorithm>
#include <random>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "tests/integration/api_client.hpp"
#include "tests/integration/parleyd_process.hpp"
#include "tests/integration/ws_client.hpp"

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::ip::tcp;
using parley::testing::ApiClient;
using parley::testing::ParleydProcess;
using parley::testing::WsClient;

constexpr std::string_view kConfig = R"(
[server]
listen = "127.0.0.1:0"
io_threads = 2
max_body_bytes = 65536
header_timeout_seconds = 1
body_timeout_seconds = 1
[storage]
path = ":memory:"
[providers.fast]
kind = "mock"
tokens_per_second = 0
[agents.assistant]
provider = "fast"
model = "echo"
tools = ["todo"]
[[auth.keys]]
name = "owner"
tenant = "acme"
key_env = "ROBUST_OWNER_KEY"
[[auth.keys]]
name = "attacker"
tenant = "mallory"
key_env = "ROBUST_ATTACKER_KEY"
)";

constexpr int kCases = 1200;
constexpr int kFrames = 600;

// Sends bytes on a fresh connection, half-closes, and returns whatever the
// server answered before closing (reads stop after 2 s of silence).
std::string exchange(std::uint16_t port, std::string_view bytes) {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    const timeval timeout{2, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    boost::system::error_code ec;
    asio::write(socket, asio::buffer(bytes), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    std::string answer;
    std::array<char, 4096> chunk{};
    for (;;) {
        const auto read = socket.read_some(asio::buffer(chunk), ec);
        if (ec || read == 0) {
            break;
        }
        answer.append(chunk.data(), read);
    }
    return answer;
}

class Fuzzer {
public:
    Fuzzer(std::uint32_t seed, std::vector<std::string> session_ids)
        : random_(seed), session_ids_(std::move(session_ids)) {}

    std::string next_request() {
        switch (pick(6)) {
            case 0: return random_bytes(pick(2000));
            case 1: return malformed_head();
            case 2:
            case 3: return request(random_method(), random_target(), mutated_body());
            case 4: return request("POST", random_target(), deep_json());
            default: return request(random_method(), random_target(), mutated_body()) + random_bytes(pick(64));
        }
    }

private:
    std::size_t pick(std::size_t bound) { return std::uniform_int_distribution<std::size_t>(0, bound - 1)(random_); }

    std::string random_bytes(std::size_t size) {
        std::string bytes(size, '\0');
        for (auto& byte : bytes) {
            byte = static_cast<char>(pick(256));
        }
        return bytes;
    }

    std::string random_method() {
        static const std::vector<std::string> methods{"GET",  "POST",    "PATCH", "DELETE", "PUT",
                                                      "HEAD", "OPTIONS", "BREW",  "get",    "POST "};
        return methods[pick(methods.size())];
    }

    std::string session_id() {
        if (pick(2) == 0) {
            return session_ids_[pick(session_ids_.size())];  // the owner's: must stay unreachable
        }
        return "ses_" + std::to_string(pick(1000));
    }

    std::string random_target() {
        const std::vector<std::string> targets{
            "/v1/sessions",
            "/v1/sessions/" + session_id(),
            "/v1/sessions/" + session_id() + "/messages",
            "/v1/sessions/" + session_id() + "/messages?limit=" + std::to_string(pick(300)) + "&before_seq=-1",
            "/v1/sessions/" + session_id() + "/interrupt",
            "/v1/sessions/" + session_id() + "/todos",
            "/v1/sessions/" + session_id() + "/events?after_seq=abc",
            "/v1/sessions?limit=abc&after=%00%ff",
            "/v1/search?q=%22%22%22*()NEAR",
            "/v1/search?q=" + std::string(pick(300), 'a'),
            "/v1/agents",
            "/v1/../../etc/passwd",
            "/%zz",
            "*",
            "/v1/sessions/%2e%2e/messages",
            "/healthz?" + std::string(pick(100), '&'),
        };
        return targets[pick(targets.size())];
    }

    std::string mutated_body() {
        const std::vector<std::string> seeds{
            R"({"agent":"assistant","title":"t","metadata":{"a":[1,2,{"b":null}]}})",
            R"({"content":"hello","stream":false})",
            R"({"title":null,"metadata":{}})",
            R"({"content":"/tool todo {\"todos\":[{\"id\":\"1\",\"content\":\"x\",\"status\":\"pending\"}]}"})",
            R"({"agent":["assistant"],"content":{"x":1},"stream":"true"})",
            "[]",
            "",
            "null",
        };
        auto body = seeds[pick(seeds.size())];
        const auto mutations = pick(4);
        for (std::size_t i = 0; i < mutations && !body.empty(); ++i) {
            switch (pick(5)) {
                case 0: body.resize(pick(body.size())); break;
                case 1: body[pick(body.size())] = static_cast<char>(pick(256)); break;
                case 2: body.insert(pick(body.size()), random_bytes(pick(16))); break;
                case 3: body.insert(pick(body.size()), "\xf0\x9f\x98\x80\xc3\x28\xed\xa0\x80"); break;
                default: body += body; break;
            }
        }
        return body;
    }

    std::string deep_json() {
        const auto depth = 1000 + pick(20000);
        return std::string(depth, '[') + std::string(pick(2) == 0 ? depth : depth / 2, ']');
    }

    std::string request(const std::string& method, const std::string& target, const std::string& body) {
        std::string text = method + " " + target + " HTTP/1.1\r\nHost: fuzz\r\n";
        if (pick(3) != 0) {
            text += "Authorization: Bearer attacker-key\r\n";
        } else if (pick(2) == 0) {
            text += "Authorization: Bearer " + random_bytes(pick(40)) + "\r\n";
        }
        switch (pick(4)) {
            case 0: text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body; break;
            case 1: text += "Content-Length: " + std::to_string(pick(body.size() + 10)) + "\r\n\r\n" + body; break;
            case 2: text += "Transfer-Encoding: chunked\r\n\r\n" + chunked(body); break;
            default:
                text += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\nConnection: keep-alive\r\n\r\n" + body;
        }
        return text;
    }

    std::string chunked(const std::string& body) {
        std::ostringstream out;
        if (pick(2) == 0) {
            out << std::hex << body.size() << "\r\n" << body << "\r\n0\r\n\r\n";
        } else {
            out << "fffffffffffffffff\r\n" << body << "\r\nzz\r\n";
        }
        return out.str();
    }

    std::string malformed_head() {
        const std::vector<std::string> heads{
            "GET / HTTP/1.1\r\n" + std::string(20000, 'X') + ": y\r\n\r\n",
            "GET /v1/sessions HTTP/9.9\r\n\r\n",
            "GET /v1/sessions HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
            "POST /v1/sessions HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcdefg",
            "POST /v1/sessions HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
            "POST /v1/sessions HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, '{'),
            "GET /v1/sessions HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n",
            "GET /v1/sessions HTTP/1.1\nHost: a\n\n",
            "\r\n\r\n\r\n",
            "GET /v1/sessions\r\n\r\n",
            "GET /v1/ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
            "GET /v1/sessions HTTP/1.1\r\nAuthorization: Bearer\r\n\r\n",
            "GET /v1/sessions HTTP/1.1\r\nAuthorization: " + random_bytes(64) + "\r\n\r\n",
        };
        return heads[pick(heads.size())];
    }

    std::mt19937 random_;
    std::vector<std::string> session_ids_;
};

// Client frames for the WebSocket: valid ones aimed at the owner's sessions
// (which another tenant must never reach), and mutated or malformed ones.
class FrameFuzzer {
public:
    FrameFuzzer(std::uint32_t seed, std::vector<std::string> owner_ids)
        : random_(seed), owner_ids_(std::move(owner_ids)) {}

    std::string next_frame() {
        const auto& owner = owner_ids_[pick(owner_ids_.size())];
        const std::vector<std::string> seeds{
            R"({"type":"subscribe","session_id":")" + owner + R"(","after_seq":0,"ref":1})",
            R"({"type":"send","session_id":")" + owner + R"(","content":"take over","ref":"r"})",
            R"({"type":"interrupt","session_id":")" + owner + R"("})",
            R"({"type":"unsubscribe","session_id":")" + owner + R"("})",
            R"({"type":"create_session","agent":"assistant","title":"mine","ref":[1,{"a":2}]})",
            R"({"type":"ping","ref":null})",
            R"({"type":"subscribe","session_id":"ses_nope","after_seq":-5})",
            R"({"type":"send","session_id":7,"content":{"x":1}})",
            R"({"type":"no_such_type"})",
            R"({"type":null})",
            R"([1,2,3])",
            std::string(pick(3000) + 1, '['),
            std::string(200000, 'x'),
        };
        auto frame = seeds[pick(seeds.size())];
        const auto mutations = pick(3);
        for (std::size_t i = 0; i < mutations && !frame.empty(); ++i) {
            switch (pick(3)) {
                case 0: frame.resize(pick(frame.size())); break;
                case 1: frame[pick(frame.size())] = static_cast<char>(32 + pick(95)); break;
                default: frame.insert(pick(frame.size()), "\\u0000\\u00e9\\ud800"); break;
            }
        }
        return frame;
    }

private:
    std::size_t pick(std::size_t bound) { return std::uniform_int_distribution<std::size_t>(0, bound - 1)(random_); }

    std::mt19937 random_;
    std::vector<std::string> owner_ids_;
};

// Sends `count` fuzzed frames as the attacker; after each, a ping proves the
// connection still answers. Returns the frames received, for inspection.
std::vector<json::object> storm_websocket(std::uint16_t port, std::uint32_t seed, const std::vector<std::string>& ids,
                                          int count) {
    FrameFuzzer fuzzer(seed, ids);
    WsClient::Options options;
    options.headers["Authorization"] = "Bearer attacker-key";
    auto client = std::make_unique<WsClient>(port, options);
    REQUIRE(client->status() == 101);
    std::vector<json::object> received;
    for (int i = 0; i < count; ++i) {
        const auto frame = fuzzer.next_frame();
        INFO("frame " << i << ": " << frame.substr(0, 200));
        REQUIRE(client->try_send(frame));
        const auto before_pong = client->sync();
        received.insert(received.end(), before_pong.begin(), before_pong.end());
    }
    return received;
}

// Everything the owner has stored, as one JSON text.
std::string snapshot(ApiClient& owner) {
    json::array state;
    const auto sessions = owner.call("GET", "/v1/sessions?limit=100");
    REQUIRE(sessions.status == 200);
    for (const auto& session : sessions.body.at("data").as_array()) {
        const std::string id(session.at("id").as_string());
        state.push_back(session);
        state.push_back(owner.call("GET", "/v1/sessions/" + id + "/messages?limit=100").body);
        state.push_back(owner.call("GET", "/v1/sessions/" + id + "/todos").body);
    }
    return json::serialize(state);
}

TEST_CASE("a storm of malformed requests changes nothing stored and leaves every route served",
          "[integration][robustness]") {
    ParleydProcess daemon(
        {std::string(kConfig), {{"ROBUST_OWNER_KEY", "owner-key"}, {"ROBUST_ATTACKER_KEY", "attacker-key"}}, {}, true});
    ApiClient owner(daemon.port(), "owner-key");
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) {
        ids.push_back(owner.create_session("assistant"));
        REQUIRE(owner.call("POST", "/v1/sessions/" + ids.back() + "/messages", R"({"content":"keep me"})").status ==
                200);
    }
    REQUIRE(
        owner
            .call("POST", "/v1/sessions/" + ids[0] + "/messages",
                  R"({"content":"/tool todo {\"todos\":[{\"id\":\"a\",\"content\":\"x\",\"status\":\"pending\"}]}"})")
            .status == 200);
    const auto before = snapshot(owner);

    const std::uint32_t seed = std::random_device{}();
    INFO("seed " << seed);
    Fuzzer fuzzer(seed, ids);
    int answered = 0;
    for (int i = 0; i < kCases; ++i) {
        const auto request = fuzzer.next_request();
        const auto answer = exchange(daemon.port(), request);
        if (answer.empty()) {
            continue;  // closed without an answer: a request that never completed
        }
        ++answered;
        INFO("case " << i << " request " << json::serialize(json::string(request.substr(0, 300))) << " answer "
                     << answer.substr(0, 300));
        REQUIRE(answer.starts_with("HTTP/1.1 "));
        const auto status = std::stoi(answer.substr(9, 3));
        CHECK(status < 500);
    }
    CHECK(answered > kCases / 2);

    // The same storm over the WebSocket: every frame answered, the connection kept.
    const auto frames = storm_websocket(daemon.port(), seed, ids, kFrames);
    for (const auto& frame : frames) {
        INFO(json::serialize(frame));
        if (frame.contains("session_id") && frame.at("session_id").is_string()) {
            const std::string session(frame.at("session_id").as_string());
            const bool owners = std::find(ids.begin(), ids.end(), session) != ids.end();
            // The owner's sessions answer only with errors (or the unconditional
            // `unsubscribed`, sent for any id): no event, no subscription.
            const auto type = frame.at("type").as_string();
            CHECK((!owners || type == "error" || type == "unsubscribed"));
        }
    }
    CHECK(std::count_if(frames.begin(), frames.end(),
                        [](const json::object& frame) { return frame.at("type").as_string() == "error"; }) > 0);

    // Still alive, still serving every route, and the owner's rows untouched.
    ApiClient after(daemon.port(), "owner-key");
    CHECK(after.call("GET", "/healthz").status == 200);
    CHECK(after.call("GET", "/readyz").status == 200);
    CHECK(after.call("GET", "/v1/agents").status == 200);
    CHECK(after.http().request("GET", "/metrics").status == 200);
    CHECK(after.call("GET", "/v1/search?q=keep").status == 200);
    CHECK(snapshot(after) == before);
    const auto id = after.create_session("assistant");
    const auto reply = after.call("POST", "/v1/sessions/" + id + "/messages", R"({"content":"still here"})");
    REQUIRE(reply.status == 200);
    CHECK(reply.body.at("messages").as_array()[1].at("content").as_string() == "echo: still here");
    CHECK(after.call("DELETE", "/v1/sessions/" + id).status == 204);
    CHECK(snapshot(after) == before);
}

}  // namespace
