#include "core/providers/provider_chain.hpp"

#include <array>
#include <chrono>
#include <ctime>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include "core/metrics/metrics_registry.hpp"
#include "core/providers/mock_provider.hpp"
#include "core/providers/openai_provider.hpp"
#include "tests/core/providers/provider_test_support.hpp"
#include "tests/core/run_io.hpp"
#include "tests/support/fake_model_server.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace parley::core;
using parley::core::test::RecordedStream;
using parley::core::test::run_io;
using parley::core::test::user_request;
using parley::testing::FakeModelServer;
using parley::testing::Script;

namespace {

ProviderConfig openai_config(std::string name, std::string base_url, unsigned max_retries) {
    ProviderConfig config;
    config.name = std::move(name);
    config.kind = ProviderKind::openai;
    config.base_url = std::move(base_url);
    config.max_retries = max_retries;
    return config;
}

ProviderConfig mock_config() {
    ProviderConfig config;
    config.name = "demo";
    config.tokens_per_second = 0;
    return config;
}

RetryPolicy fast_policy() {
    RetryPolicy policy;
    policy.initial_backoff = 10ms;
    policy.max_backoff = 40ms;
    return policy;
}

asio::awaitable<ModelOutcome> call(Provider& provider, ModelRequest request, RecordedStream& recorded) {
    co_return co_await provider.stream(request, recorded.sink());
}

std::uint16_t closed_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

double counter_value(MetricsRegistry& registry, std::string_view provider, std::string_view outcome) {
    return registry.counter_family("parley_upstream_requests_total", "", {"provider", "outcome"})
        .with({provider, outcome})
        .value();
}

// An IMF-fixdate `ahead` from now (whole seconds, as servers send it).
std::string http_date_in(std::chrono::seconds ahead) {
    const std::time_t at = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + ahead);
    std::tm parts{};
    gmtime_r(&at, &parts);
    std::array<char, 64> text{};
    const std::size_t length = std::strftime(text.data(), text.size(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
    return {text.data(), length};
}

}  // namespace

TEST_CASE("chain: a 429 is retried after its Retry-After, then succeeds", "[providers]") {
    FakeModelServer server;
    Script limited;
    limited.status = 429;
    limited.retry_after = "1";
    server.enqueue(limited);
    asio::io_context io;
    HttpClient http(io.get_executor());
    MetricsRegistry registry;
    ProviderMetrics metrics(registry);
    ProviderChain chain(
        {{std::make_shared<OpenAiProvider>(openai_config("up", server.base_url() + "/v1", 2), http), 2}}, &metrics,
        fast_policy());
    RecordedStream recorded;
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = run_io(io, call(chain, user_request("hello"), recorded));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    REQUIRE_FALSE(outcome.error);
    CHECK(recorded.text() == "echo: hello");
    CHECK(elapsed >= 950ms);  // Retry-After: 1, not the 10 ms backoff
    CHECK(server.request_count() == 2);
    CHECK(counter_value(registry, "up", "error") == 1);
    CHECK(counter_value(registry, "up", "success") == 1);
    CHECK(registry.render().find("parley_upstream_first_token_seconds_count{provider=\"up\"} 1") != std::string::npos);
}

TEST_CASE("chain: a 429 with an HTTP-date Retry-After waits until that date", "[providers]") {
    // The clock starts before the date is taken: to_time_t truncates, so the date is at least 1 s after `started`
    // however long the set-up below takes on a loaded machine.
    const auto started = std::chrono::steady_clock::now();
    FakeModelServer server;
    Script limited;
    limited.status = 429;
    limited.retry_after = http_date_in(2s);
    server.enqueue(limited);
    asio::io_context io;
    HttpClient http(io.get_executor());
    ProviderChain chain(
        {{std::make_shared<OpenAiProvider>(openai_config("up", server.base_url() + "/v1", 2), http), 2}}, nullptr,
        fast_policy());
    RecordedStream recorded;
    const auto outcome = run_io(io, call(chain, user_request("hello"), recorded));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    REQUIRE_FALSE(outcome.error);
    CHECK(recorded.text() == "echo: hello");
    CHECK(elapsed >= 900ms);  // the date, not the 10 ms backoff
    CHECK(elapsed < 5s);
    CHECK(server.request_count() == 2);
}

TEST_CASE("chain: an HTTP-date Retry-After beyond the cap moves on to the fallback at once", "[providers]") {
    FakeModelServer server;
    Script limited;
    limited.status = 429;
    limited.retry_after = http_date_in(1h);  // over RetryPolicy::max_retry_after (30 s)
    server.enqueue(limited);
    asio::io_context io;
    HttpClient http(io.get_executor());
    ProviderChain chain({{std::make_shared<OpenAiProvider>(openai_config("up", server.base_url() + "/v1", 2), http), 2},
                         {std::make_shared<MockProvider>(mock_config()), 0}},
                        nullptr, fast_policy());
    RecordedStream recorded;
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = run_io(io, call(chain, user_request("hello"), recorded));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    REQUIRE_FALSE(outcome.error);
    CHECK(outcome.provider == "demo");
    CHECK(server.request_count() == 1);
    CHECK(elapsed < 2s);
}

TEST_CASE("chain: 500 until the retries run out is a typed server error", "[providers]") {
    FakeModelServer server;
    Script failing;
    failing.status = 500;
    server.set_default_script(failing);
    asio::io_context io;
    HttpClient http(io.get_executor());
    MetricsRegistry registry;
    ProviderMetrics metrics(registry);
    ProviderChain chain(
        {{std::make_shared<OpenAiProvider>(openai_config("up", server.base_url() + "/v1", 2), http), 2}}, &metrics,
        fast_policy());
    RecordedStream recorded;
    const auto outcome = run_io(io, call(chain, user_request("hello"), recorded));
    REQUIRE(outcome.error);
    CHECK(outcome.error->kind == ProviderErrorKind::server);
    CHECK(outcome.error->status == 500);
    CHECK(server.request_count() == 3);  // one try and two retries
    CHECK(counter_value(registry, "up", "error") == 3);
}

TEST_CASE("chain: nothing is retried once a delta was delivered", "[providers]") {
    FakeModelServer server;
    Script dropping;
    dropping.text = "one two three four";
    dropping.drop_after_chunks = 2;
    server.enqueue(dropping);
    asio::io_context io;
    HttpClient http(io.get_executor());
    ProviderChain chain({{std::make_shared<OpenAiProvider>(openai_config("up", server.base_url() + "/v1", 2), http), 2},
                         {std::make_shared<MockProvider>(mock_config()), 0}},
                        nullptr, fast_policy());
    RecordedStream recorded;
    const auto outcome = run_io(io, call(chain, user_request("hello"), recorded));
    REQUIRE(outcome.error);
    CHECK(outcome.error->after_first_delta);
    CHECK(outcome.provider == "up");
    CHECK(server.request_count() == 1);
    CHECK(recorded.text() == "one two");
}

TEST_CASE("chain: falls back to the next provider when the first is down", "[providers]") {
    FakeModelServer server;
    asio::io_context io;
    HttpClient http(io.get_executor());
    MetricsRegistry registry;
    ProviderMetrics metrics(registry);
    const std::string down_url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/v1";
    ProviderChain chain(
        {{std::make_shared<OpenAiProvider>(openai_config("down", down_url, 1), http), 1},
         {std::make_shared<OpenAiProvider>(openai_config("backup", server.base_url() + "/v1", 1), http), 1}},
        &metrics, fast_policy());
    RecordedStream recorded;
    const auto outcome = run_io(io, call(chain, user_request("hello"), recorded));
    REQUIRE_FALSE(outcome.error);
    CHECK(outcome.provider == "backup");
    CHECK(recorded.text() == "echo: hello");
    CHECK(counter_value(registry, "down", "error") == 2);
    CHECK(counter_value(registry, "backup", "success") == 1);
}

TEST_CASE("chain: backoff doubles with jitter and honours Retry-After up to its cap", "[providers]") {
    RetryPolicy policy;
    policy.initial_backoff = 100ms;
    policy.max_backoff = 1000ms;
    policy.jitter = 0.25;
    const ProviderError plain{.kind = ProviderErrorKind::server};
    for (unsigned retry = 0; retry < 6; ++retry) {
        const auto base = std::min(100.0 * (1 << retry), 1000.0);
        const auto delay = policy.delay(retry, plain);
        REQUIRE(delay);
        CHECK(static_cast<double>(delay->count()) >= base * 0.75 - 1);
        CHECK(static_cast<double>(delay->count()) <= base * 1.25 + 1);
    }
    ProviderError limited{.kind = ProviderErrorKind::rate_limited, .retry_after = 5000ms};
    CHECK(policy.delay(0, limited) == 5000ms);
    limited.retry_after = 120000ms;
    CHECK_FALSE(policy.delay(0, limited));
    CHECK(RetryPolicy::retryable(ProviderError{.kind = ProviderErrorKind::network}));
    CHECK_FALSE(RetryPolicy::retryable(ProviderError{.kind = ProviderErrorKind::client}));
    CHECK_FALSE(RetryPolicy::retryable(ProviderError{.kind = ProviderErrorKind::server, .after_first_delta = true}));
}
