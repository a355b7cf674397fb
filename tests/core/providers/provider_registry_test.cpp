#include "core/providers/provider_registry.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "core/metrics/metrics_registry.hpp"
#include "tests/core/providers/provider_test_support.hpp"
#include "tests/core/run_io.hpp"

namespace asio = boost::asio;
using namespace parley::core;
using parley::core::test::RecordedStream;
using parley::core::test::run_io;
using parley::core::test::user_request;

namespace {

Config sample_config() {
    Config config;
    ProviderConfig demo;
    demo.kind = ProviderKind::mock;
    demo.tokens_per_second = 0;
    config.providers["demo"] = demo;
    ProviderConfig remote;
    remote.kind = ProviderKind::openai;
    remote.base_url = "http://127.0.0.1:1/v1";
    config.providers["remote"] = remote;
    ProviderConfig claude;
    claude.kind = ProviderKind::anthropic;
    claude.base_url = "http://127.0.0.1:1/v1";
    config.providers["claude"] = claude;
    return config;
}

asio::awaitable<ModelOutcome> call(Provider& provider, ModelRequest request, RecordedStream& recorded) {
    co_return co_await provider.stream(request, recorded.sink());
}

}  // namespace

TEST_CASE("registry: builds every configured provider and an agent's chain", "[providers]") {
    asio::io_context io;
    HttpClient http(io.get_executor());
    MetricsRegistry metrics_registry;
    ProviderMetrics metrics(metrics_registry);
    const ProviderRegistry registry(sample_config(), http, metrics, 7);
    CHECK(registry.generation() == 7);
    REQUIRE(registry.provider("demo"));
    CHECK(registry.provider("demo")->name() == "demo");
    CHECK(registry.provider("remote")->name() == "remote");
    CHECK(registry.provider("claude")->name() == "claude");
    CHECK_FALSE(registry.provider("missing"));

    AgentConfig agent;
    agent.provider_chain = {"demo", "missing", "remote"};
    const auto chain = registry.chain_for(agent);
    REQUIRE(chain);
    REQUIRE(chain->links().size() == 2);
    CHECK(chain->name() == "demo");

    RecordedStream recorded;
    const auto outcome = run_io(io, call(*chain, user_request("hi"), recorded));
    REQUIRE_FALSE(outcome.error);
    CHECK(recorded.text() == "echo: hi");
    CHECK(metrics_registry.render().find(R"(parley_upstream_requests_total{provider="demo",outcome="success"} 1)") !=
          std::string::npos);

    AgentConfig unconfigured;
    unconfigured.provider = "nothing";
    CHECK_FALSE(registry.chain_for(unconfigured));
}
