#include "core/net/http_client.hpp"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "tests/core/run_io.hpp"
#include "tests/support/fake_model_server.hpp"
#include "tests/support/test_certificates.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using parley::core::HttpClient;
using parley::core::HttpClientOptions;
using parley::core::HttpErrorKind;
using parley::core::HttpRequest;
using parley::core::HttpResponse;
using parley::core::HttpResult;
using parley::core::test::run_io;
using parley::testing::FakeModelServer;
using parley::testing::Script;

namespace {

constexpr std::string_view kStreamBody =
    R"({"model":"fake-model","stream":true,"messages":[{"role":"user","content":"hello there"}]})";

HttpRequest models_request(const std::string& base_url) {
    HttpRequest request;
    request.method = boost::beast::http::verb::get;
    request.url = base_url + "/v1/models";
    return request;
}

HttpRequest chat_request(const std::string& base_url) {
    HttpRequest request;
    request.url = base_url + "/v1/chat/completions";
    request.body = std::string(kStreamBody);
    return request;
}

// Reads a streamed response to its end; returns the body or the error kind's name.
asio::awaitable<std::string> read_stream(HttpClient& client, HttpRequest request) {
    auto opened = co_await client.open(std::move(request));
    if (!opened) {
        co_return "error:" + std::string(to_string(opened.error().kind));
    }
    std::string body;
    while (true) {
        auto chunk = co_await (*opened)->next_chunk();
        if (!chunk) {
            co_return "error:" + std::string(to_string(chunk.error().kind));
        }
        if (chunk->empty()) {
            co_return body;
        }
        body.append(*chunk);
    }
}

asio::awaitable<HttpResult<HttpResponse>> fetch(HttpClient& client, HttpRequest request) {
    co_return co_await client.request(std::move(request));
}

asio::awaitable<std::vector<std::string>> sequential(HttpClient& client, std::string base_url, int count) {
    std::vector<std::string> bodies;
    for (int i = 0; i < count; ++i) {
        bodies.push_back(co_await read_stream(client, chat_request(base_url)));
    }
    co_return bodies;
}

asio::awaitable<void> stamp_after(std::chrono::milliseconds delay, std::chrono::steady_clock::time_point& stamp) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
    stamp = std::chrono::steady_clock::now();
}

// Streams until a timer wins the race and `||` cancels the stream; returns when the stream noticed.
asio::awaitable<std::chrono::steady_clock::time_point> stream_until_cancelled(
    HttpClient& client, std::string base_url, std::chrono::steady_clock::time_point& cancelled_at) {
    using namespace asio::experimental::awaitable_operators;
    co_await (read_stream(client, chat_request(base_url)) || stamp_after(250ms, cancelled_at));
    co_return std::chrono::steady_clock::now();
}

std::uint16_t closed_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();  // closed again when the acceptor goes
}

}  // namespace

TEST_CASE("http: a simple request returns the whole body", "[net]") {
    FakeModelServer server;
    asio::io_context io;
    HttpClient client(io.get_executor());
    auto result = run_io(io, fetch(client, models_request(server.base_url())));
    REQUIRE(result.has_value());
    CHECK(result->status == 200);
    CHECK(result->body.find("fake-model") != std::string::npos);
}

TEST_CASE("http: sequential requests reuse one pooled connection", "[net]") {
    FakeModelServer server;
    asio::io_context io;
    HttpClient client(io.get_executor());
    const auto bodies = run_io(io, sequential(client, server.base_url(), 5));
    for (const auto& body : bodies) {
        CHECK(body.find("[DONE]") != std::string::npos);
    }
    CHECK(server.connections_accepted() == 1);
    CHECK(client.idle_connections(server.base_url()) == 1);
}

TEST_CASE("http: a pooled connection idle past its keepalive is closed, not reused", "[net]") {
    FakeModelServer server;
    asio::io_context io;
    HttpClient client(io.get_executor());
    auto request = chat_request(server.base_url());
    // Long enough that a stalled CI machine cannot expire it before the first check.
    request.limits.keepalive = 300ms;

    SECTION("the next request opens a new connection") {
        CHECK(run_io(io, read_stream(client, request)).find("[DONE]") != std::string::npos);
        CHECK(client.idle_connections(server.base_url()) == 1);
        std::this_thread::sleep_for(350ms);  // the keepalive runs out
        CHECK(run_io(io, read_stream(client, request)).find("[DONE]") != std::string::npos);
        CHECK(server.connections_accepted() == 2);
        // The expired one was closed when it was passed over.
        CHECK(server.wait_for_active_connections(1, 5000ms));
    }
    SECTION("close_expired_idle closes it without a request, and keeps a fresh one") {
        CHECK(run_io(io, read_stream(client, request)).find("[DONE]") != std::string::npos);
        CHECK(client.close_expired_idle() == 0);  // not expired yet
        CHECK(client.idle_connections(server.base_url()) == 1);
        std::this_thread::sleep_for(350ms);
        CHECK(client.close_expired_idle() == 1);
        CHECK(client.idle_connections(server.base_url()) == 0);
        CHECK(server.wait_for_active_connections(0, 5000ms));
    }
}

TEST_CASE("http: a request larger than the socket takes at once arrives whole", "[net]") {
    FakeModelServer server;
    asio::io_context io;
    HttpClient client(io.get_executor());
    auto request = chat_request(server.base_url());
    // Only part of it is sent at once; the rest waits for the server to read.
    const std::string content(8U * 1024U * 1024U, 'x');
    request.body =
        R"({"model":"fake-model","stream":true,"messages":[{"role":"user","content":")" + content + R"("}]})";
    const auto body = run_io(io, read_stream(client, request));
    CHECK(body.find("[DONE]") != std::string::npos);
    const auto recorded = server.requests();
    REQUIRE(recorded.size() == 1);
    CHECK(recorded.front().body == request.body);
}

TEST_CASE("http: requests beyond max_connections wait for a free connection", "[net]") {
    FakeModelServer server;
    Script slow;
    slow.delay_per_chunk = 20ms;
    server.set_default_script(slow);
    asio::io_context io;
    HttpClient client(io.get_executor());
    constexpr int kRequests = 6;
    std::vector<std::string> bodies(kRequests);
    for (int i = 0; i < kRequests; ++i) {
        auto request = chat_request(server.base_url());
        request.limits.max_connections = 2;
        asio::co_spawn(io, read_stream(client, std::move(request)),
                       [&bodies, i](std::exception_ptr, std::string body) { bodies[i] = std::move(body); });
    }
    io.run();
    for (const auto& body : bodies) {
        CHECK(body.find("[DONE]") != std::string::npos);
    }
    // Six concurrent requests, never more than two connections: the others waited and reused them.
    CHECK(server.connections_accepted() == 2);
}

TEST_CASE("http: a pooled connection the server closed is replaced without failing", "[net]") {
    // A server that answers one request per connection and then closes it, keep-alive notwithstanding.
    asio::io_context server_io;
    asio::ip::tcp::acceptor acceptor(server_io, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = acceptor.local_endpoint().port();
    std::thread server_thread([&acceptor] {
        for (int i = 0; i < 2; ++i) {
            auto socket = acceptor.accept();
            asio::streambuf request;
            asio::read_until(socket, request, "\r\n\r\n");
            asio::write(socket, asio::buffer(std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")));
            socket.shutdown(asio::ip::tcp::socket::shutdown_both);
            socket.close();
        }
    });
    asio::io_context io;
    HttpClient client(io.get_executor());
    HttpRequest request;
    request.method = boost::beast::http::verb::get;
    request.url = "http://127.0.0.1:" + std::to_string(port) + "/";
    auto first = run_io(io, fetch(client, request));
    REQUIRE(first.has_value());
    CHECK(first->body == "ok");
    auto second = run_io(io, fetch(client, request));
    server_thread.join();
    REQUIRE(second.has_value());
    CHECK(second->body == "ok");
}

TEST_CASE("http: error statuses become typed errors with the status and a body excerpt", "[net]") {
    FakeModelServer server;
    Script failing;
    failing.status = 503;
    failing.error_body = "overloaded, try later";
    failing.retry_after = "3";
    server.enqueue(failing);
    Script bad;
    bad.status = 400;
    server.enqueue(bad);
    asio::io_context io;
    HttpClient client(io.get_executor());

    auto server_error = run_io(io, fetch(client, chat_request(server.base_url())));
    REQUIRE_FALSE(server_error.has_value());
    CHECK(server_error.error().kind == HttpErrorKind::server);
    CHECK(server_error.error().status == 503);
    CHECK(server_error.error().body_excerpt.find("overloaded") != std::string::npos);
    REQUIRE(server_error.error().retry_after);
    CHECK(*server_error.error().retry_after == 3s);

    auto client_error = run_io(io, fetch(client, chat_request(server.base_url())));
    REQUIRE_FALSE(client_error.has_value());
    CHECK(client_error.error().kind == HttpErrorKind::client);
    CHECK(client_error.error().status == 400);
}

TEST_CASE("http: a refused connection is a network error", "[net]") {
    asio::io_context io;
    HttpClient client(io.get_executor());
    auto result = run_io(io, fetch(client, models_request("http://127.0.0.1:" + std::to_string(closed_port()))));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == HttpErrorKind::network);
}

TEST_CASE("http: a server that never answers hits the first-byte timeout", "[net]") {
    FakeModelServer server;
    Script hang;
    hang.hang_before_headers = true;
    server.enqueue(hang);
    asio::io_context io;
    HttpClient client(io.get_executor());
    auto request = chat_request(server.base_url());
    request.timeouts.first_byte = 200ms;
    const auto started = std::chrono::steady_clock::now();
    const auto body = run_io(io, read_stream(client, std::move(request)));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(body == "error:timeout");
    CHECK(elapsed >= 190ms);
    CHECK(elapsed < 2s);
}

TEST_CASE("http: a stream that stalls hits the idle timeout, a long one the total timeout", "[net]") {
    FakeModelServer server;
    Script stall;
    stall.hang_after_chunks = 1;
    server.enqueue(stall);
    Script slow;
    slow.text = "one two three four five six seven eight nine ten";
    slow.delay_per_chunk = 60ms;
    server.enqueue(slow);
    asio::io_context io;
    HttpClient client(io.get_executor());

    auto idle = chat_request(server.base_url());
    idle.timeouts.idle = 200ms;
    CHECK(run_io(io, read_stream(client, std::move(idle))) == "error:timeout");

    auto total = chat_request(server.base_url());
    total.timeouts.total = 250ms;
    const auto started = std::chrono::steady_clock::now();
    CHECK(run_io(io, read_stream(client, std::move(total))) == "error:timeout");
    CHECK(std::chrono::steady_clock::now() - started < 1s);
}

TEST_CASE("http: cancellation mid-stream closes the connection at once", "[net]") {
    FakeModelServer server;
    Script slow;
    slow.text = "one two three four five six seven eight nine ten";
    slow.delay_per_chunk = 100ms;
    server.enqueue(slow);
    asio::io_context io;
    HttpClient client(io.get_executor());

    std::chrono::steady_clock::time_point cancelled_at;
    const auto finished_at = run_io(io, stream_until_cancelled(client, server.base_url(), cancelled_at));
    const auto reaction = std::chrono::duration<double, std::milli>(finished_at - cancelled_at).count();
    WARN("cancellation took " << reaction << " ms");
    CHECK(reaction < 500);
    CHECK(server.wait_for_active_connections(0, 2000ms));
    CHECK(client.idle_connections(server.base_url()) == 0);
}

TEST_CASE("http: TLS with a trusted CA, and refusals for an untrusted CA or a wrong host name", "[net]") {
    const auto certificates = parley::testing::generate_test_certificates("parley.test");
    parley::testing::FakeModelServerOptions options;
    options.tls =
        parley::testing::TlsIdentity{certificates.server_certificate_pem, certificates.server_private_key_pem};
    FakeModelServer server(options);
    asio::io_context io;

    HttpClientOptions trusting;
    trusting.extra_ca_pem.push_back(certificates.ca_certificate_pem);
    HttpClient client(io.get_executor(), trusting);
    // The certificate always names 127.0.0.1 as well.
    const std::string by_address = "https://127.0.0.1:" + std::to_string(server.port());
    auto ok = run_io(io, fetch(client, models_request(by_address)));
    REQUIRE(ok.has_value());
    CHECK(ok->status == 200);
    CHECK(run_io(io, sequential(client, by_address, 3)).size() == 3);
    CHECK(server.connections_accepted() == 1);

    HttpClient untrusting(io.get_executor());
    auto refused = run_io(io, fetch(untrusting, models_request(by_address)));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().kind == HttpErrorKind::network);

    // "localhost" is not a name on the certificate.
    auto mismatch = run_io(io, fetch(client, models_request("https://localhost:" + std::to_string(server.port()))));
    REQUIRE_FALSE(mismatch.has_value());
    CHECK(mismatch.error().kind == HttpErrorKind::network);
}
