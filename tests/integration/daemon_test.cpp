// The daemon's lifecycle, driven against the real parleyd binary over real sockets.
#include <algorithm>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "tests/integration/parleyd_process.hpp"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using parley::testing::ParleydProcess;
using namespace std::chrono_literals;

constexpr std::string_view kBaseConfig = R"(
[server]
listen = "127.0.0.1:0"
io_threads = 2
max_body_bytes = 2048
shutdown_grace_seconds = 3
header_timeout_seconds = 1
[storage]
path = ":memory:"
)";

// A blocking client socket with a read deadline, for byte-exact exchanges.
class RawClient {
public:
    explicit RawClient(std::uint16_t port) : socket_(io_) {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        const timeval timeout{5, 0};
        setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }

    void send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

    http::response<http::string_body> read_response() {
        http::response<http::string_body> response;
        http::read(socket_, buffer_, response);
        return response;
    }

    // True when the server closed the connection (EOF or reset) before `limit`.
    bool closed_by_server(std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        std::array<char, 256> scratch{};
        while (std::chrono::steady_clock::now() < deadline) {
            boost::system::error_code ec;
            socket_.read_some(asio::buffer(scratch), ec);
            if (ec == asio::error::eof || ec == asio::error::connection_reset) {
                return true;
            }
            if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
                return true;
            }
        }
        return false;
    }

    tcp::socket& socket() { return socket_; }

private:
    asio::io_context io_;
    tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

http::response<http::string_body> request(std::uint16_t port, http::verb method, std::string_view target,
                                          std::string body = {}) {
    RawClient client(port);
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(client.socket(), req);
    return client.read_response();
}

void check_error_shape(const http::response<http::string_body>& response, std::string_view code) {
    CHECK(response[http::field::content_type] == "application/json");
    const auto body = boost::json::parse(response.body()).as_object();
    const auto& error = body.at("error").as_object();
    CHECK(error.at("code").as_string() == code);
    CHECK(error.at("message").is_string());
    CHECK(error.at("type").is_string());
    CHECK(error.contains("param"));
}

}  // namespace

TEST_CASE("parleyd serves the health probes on an ephemeral port", "[integration][daemon]") {
    ParleydProcess daemon({std::string(kBaseConfig), {}, {}, true});
    REQUIRE(daemon.port() != 0);
    const auto health = request(daemon.port(), http::verb::get, "/healthz");
    CHECK(health.result() == http::status::ok);
    CHECK(boost::json::parse(health.body()) == boost::json::parse(R"({"status":"ok"})"));
    const auto ready = request(daemon.port(), http::verb::get, "/readyz");
    CHECK(ready.result() == http::status::ok);
}

TEST_CASE("the read pool has as many readers as cores, from 2 to 5, unless read_pool_size sets it",
          "[integration][daemon]") {
    const unsigned cores = std::thread::hardware_concurrency();
    const unsigned automatic = std::clamp(cores, 2U, 5U);
    ParleydProcess sized_to_cores({std::string(kBaseConfig), {}, {}, true});
    CHECK(sized_to_cores.wait_for_output(fmt::format("({} reader threads)", automatic), 5s));

    ParleydProcess configured({std::string(kBaseConfig) + "read_pool_size = 7\n", {}, {}, true});
    CHECK(configured.wait_for_output("(7 reader threads)", 5s));
    CHECK(request(configured.port(), http::verb::get, "/v1/sessions").result() == http::status::ok);
}

TEST_CASE("unknown routes, wrong methods and oversized bodies get the API error shape", "[integration][daemon]") {
    ParleydProcess daemon({std::string(kBaseConfig), {}, {}, true});

    const auto missing = request(daemon.port(), http::verb::get, "/v1/nothing-here");
    CHECK(missing.result() == http::status::not_found);
    check_error_shape(missing, "route_not_found");

    const auto wrong_method = request(daemon.port(), http::verb::delete_, "/healthz");
    CHECK(wrong_method.result() == http::status::method_not_allowed);
    CHECK(wrong_method[http::field::allow] == "GET");
    check_error_shape(wrong_method, "method_not_allowed");

    const auto too_large = request(daemon.port(), http::verb::post, "/healthz", std::string(4096, 'x'));
    CHECK(too_large.result() == http::status::payload_too_large);
    check_error_shape(too_large, "body_too_large");

    SECTION("a chunked body over the limit is refused too") {
        RawClient client(daemon.port());
        std::string chunked = "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int i = 0; i < 4; ++i) {
            chunked += "400\r\n" + std::string(1024, 'y') + "\r\n";
        }
        chunked += "0\r\n\r\n";
        client.send(chunked);
        const auto response = client.read_response();
        CHECK(response.result() == http::status::payload_too_large);
    }

    SECTION("headers over the limit get 431 and the daemon lives on") {
        RawClient client(daemon.port());
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'h') + "\r\n\r\n");
        const auto response = client.read_response();
        CHECK(response.result() == http::status::request_header_fields_too_large);
        check_error_shape(response, "headers_too_large");
    }

    SECTION("a malformed request line gets 400 and the connection closes") {
        RawClient client(daemon.port());
        client.send("THIS IS NOT HTTP\r\n\r\n");
        const auto response = client.read_response();
        CHECK(response.result() == http::status::bad_request);
        check_error_shape(response, "malformed_request");
        CHECK(client.closed_by_server(2s));
    }

    // The daemon is still healthy after all of the above.
    CHECK(request(daemon.port(), http::verb::get, "/healthz").result() == http::status::ok);
}

TEST_CASE("keep-alive and pipelined requests are answered in order on one connection", "[integration][daemon]") {
    ParleydProcess daemon({std::string(kBaseConfig), {}, {}, true});
    RawClient client(daemon.port());
    client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(client.read_response().result() == http::status::ok);
    // Three requests in one write: the answers come back in the same order.
    client.send(
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(client.read_response().result() == http::status::ok);
    CHECK(client.read_response().result() == http::status::not_found);
    const auto last = client.read_response();
    CHECK(last.result() == http::status::ok);
    CHECK_FALSE(last.keep_alive());
    CHECK(client.closed_by_server(2s));
}

TEST_CASE("a request is read whole however its bytes arrive", "[integration][daemon]") {
    ParleydProcess daemon({std::string(kBaseConfig), {}, {}, true});
    const std::string body = R"({"agent":"no-such-agent"})";
    const std::string head =
        "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n";
    // The agent named in the body is the proof that the body was read whole.
    const auto check_answer = [](const http::response<http::string_body>& response) {
        CHECK(response.result() == http::status::not_found);
        CHECK(response.body().find("no such agent: no-such-agent") != std::string::npos);
    };
    RawClient client(daemon.port());

    // The pauses let each piece arrive on its own, as a slow network would deliver it.
    SECTION("the header in pieces, then the body in pieces") {
        client.send(head.substr(0, 20));
        std::this_thread::sleep_for(50ms);
        client.send(head.substr(20));
        std::this_thread::sleep_for(50ms);
        client.send(body.substr(0, 5));
        std::this_thread::sleep_for(50ms);
        client.send(body.substr(5));
        check_answer(client.read_response());
    }
    SECTION("the header with part of the body, then the rest") {
        client.send(head + body.substr(0, 10));
        std::this_thread::sleep_for(50ms);
        client.send(body.substr(10));
        check_answer(client.read_response());
    }
    SECTION("two requests with bodies and a third without, in one write") {
        client.send(head + body + head + body + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        check_answer(client.read_response());
        check_answer(client.read_response());
        CHECK(client.read_response().result() == http::status::ok);
    }
}

TEST_CASE("a slow-loris client is dropped after the header timeout", "[integration][daemon]") {
    ParleydProcess daemon({std::string(kBaseConfig), {}, {}, true});
    RawClient slow(daemon.port());
    const auto started = std::chrono::steady_clock::now();
    slow.send("GET /healthz HTTP/1.1\r\n");
    bool dropped = false;
    // One header byte every 200 ms would keep a naive server waiting forever.
    for (int i = 0; i < 40 && !dropped; ++i) {
        boost::system::error_code ec;
        asio::write(slow.socket(), asio::buffer(std::string_view("X")), ec);
        dropped = static_cast<bool>(ec) || slow.closed_by_server(200ms);
    }
    const auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(dropped);
    CHECK(elapsed < 5s);
    // Meanwhile others are served.
    CHECK(request(daemon.port(), http::verb::get, "/healthz").result() == http::status::ok);
}

TEST_CASE("SIGTERM stops accepting, closes idle connections and exits 0 within the grace period",
          "[integration][daemon]") {
    ParleydProcess daemon({std::string(kBaseConfig), {}, {}, true});
    RawClient idle(daemon.port());
    idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(idle.read_response().result() == http::status::ok);

    const auto started = std::chrono::steady_clock::now();
    daemon.send_signal(SIGTERM);
    const auto code = daemon.wait_for_exit(10s);
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    CHECK(std::chrono::steady_clock::now() - started < 3s);
    CHECK(idle.closed_by_server(1s));
    CHECK(daemon.output().find("shutting down") != std::string::npos);
}

TEST_CASE("SIGHUP installs a valid configuration and keeps the old one when the new is invalid",
          "[integration][daemon]") {
    ParleydProcess daemon({std::string(kBaseConfig), {}, {}, true});
    std::ofstream(daemon.config_path()) << kBaseConfig << "[log]\nlevel = \"debug\"\n";
    daemon.send_signal(SIGHUP);
    CHECK(daemon.wait_for_output("(generation 2)", 5s));

    std::ofstream(daemon.config_path()) << kBaseConfig << "[log]\nlevel = \"verbose\"\n";
    daemon.send_signal(SIGHUP);
    CHECK(daemon.wait_for_output("configuration reload rejected: log.level: \"verbose\"", 5s));
    CHECK(daemon.wait_for_output("keeping configuration generation 2", 5s));
    CHECK(request(daemon.port(), http::verb::get, "/healthz").result() == http::status::ok);
}

TEST_CASE("an invalid configuration exits 2 naming the key", "[integration][daemon]") {
    ParleydProcess bad({"[server]\nlisten = \"127.0.0.1:0\"\nio_thread = 2\n", {}, {}, false});
    CHECK(bad.wait_for_exit(10s) == 2);
    CHECK(bad.output().find("server.io_thread: unknown key (did you mean \"io_threads\"?)") != std::string::npos);

    ParleydProcess open_on_all({"[server]\nlisten = \"0.0.0.0:0\"\n", {}, {}, false});
    CHECK(open_on_all.wait_for_exit(10s) == 2);
    CHECK(open_on_all.output().find("open dev mode only listens on") != std::string::npos);

    ParleydProcess check({std::string(kBaseConfig), {}, {"--check-config"}, false});
    CHECK(check.wait_for_exit(10s) == 0);
    CHECK(check.output().find("configuration OK") != std::string::npos);
}

TEST_CASE("JSON logs carry one access line per request with secrets redacted", "[integration][daemon]") {
    ParleydProcess daemon({std::string(kBaseConfig) + "[log]\nformat = \"json\"\n", {}, {}, true});
    (void)request(daemon.port(), http::verb::get, "/healthz?access_token=sk-very-secret");
    REQUIRE(daemon.wait_for_output("\"kind\":\"access\"", 5s));
    const auto output = daemon.output();
    CHECK(output.find("sk-very-secret") == std::string::npos);
    bool found = false;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        const auto parsed = boost::json::parse(line).as_object();  // every line is JSON
        CHECK(parsed.contains("time"));
        CHECK(parsed.contains("level"));
        if (parsed.contains("kind") && parsed.at("kind") == "access") {
            found = true;
            CHECK(parsed.at("method") == "GET");
            CHECK(parsed.at("path") == "/healthz?access_token=REDACTED");
            CHECK(parsed.at("status") == 200);
            CHECK(parsed.at("bytes").is_number());
            CHECK(parsed.at("duration_ms").is_number());
        }
    }
    CHECK(found);
}
