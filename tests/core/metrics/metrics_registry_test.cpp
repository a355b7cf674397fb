#include "core/metrics/metrics_registry.hpp"

#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

using parley::core::MetricsRegistry;

namespace {

struct ParsedExposition {
    std::map<std::string, std::string> help;
    std::map<std::string, std::string> type;
    std::map<std::string, double> samples;  // "name{labels}" -> value
};

// A small parser of the text exposition format: enough to check our own output line by line.
ParsedExposition parse_exposition(const std::string& text) {
    ParsedExposition parsed;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        REQUIRE_FALSE(line.empty());
        if (line.rfind("# HELP ", 0) == 0) {
            const auto rest = line.substr(7);
            const auto space = rest.find(' ');
            parsed.help[rest.substr(0, space)] = rest.substr(space + 1);
            continue;
        }
        if (line.rfind("# TYPE ", 0) == 0) {
            const auto rest = line.substr(7);
            const auto space = rest.find(' ');
            parsed.type[rest.substr(0, space)] = rest.substr(space + 1);
            continue;
        }
        REQUIRE(line[0] != '#');
        const auto space = line.rfind(' ');
        REQUIRE(space != std::string::npos);
        const auto value_text = line.substr(space + 1);
        const double value = value_text == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(value_text);
        parsed.samples[line.substr(0, space)] = value;
    }
    return parsed;
}

}  // namespace

TEST_CASE("metrics: counters, gauges and histograms render in the text exposition format", "[metrics]") {
    MetricsRegistry registry;
    auto& requests = registry.counter_family("parley_test_requests_total", "Requests.", {"route", "status"});
    requests.with({"/v1/sessions", "200"}).increment();
    requests.with({"/v1/sessions", "200"}).increment(2);
    requests.with({"/v1/\"odd\"\\path\n", "404"}).increment();
    registry.gauge("parley_test_connections", "Open connections.").set(7);
    auto& latency = registry.histogram("parley_test_latency_seconds", "Latency.", {0.1, 1, 10});
    latency.observe(0.05);
    latency.observe(0.1);  // le is inclusive
    latency.observe(5);
    latency.observe(100);

    const auto text = registry.render();
    INFO(text);
    const auto parsed = parse_exposition(text);

    CHECK(parsed.type.at("parley_test_requests_total") == "counter");
    CHECK(parsed.help.at("parley_test_requests_total") == "Requests.");
    CHECK(parsed.type.at("parley_test_connections") == "gauge");
    CHECK(parsed.type.at("parley_test_latency_seconds") == "histogram");

    CHECK(parsed.samples.at(R"(parley_test_requests_total{route="/v1/sessions",status="200"})") == 3);
    CHECK(parsed.samples.at(R"(parley_test_requests_total{route="/v1/\"odd\"\\path\n",status="404"})") == 1);
    CHECK(parsed.samples.at("parley_test_connections") == 7);
    CHECK(parsed.samples.at(R"(parley_test_latency_seconds_bucket{le="0.1"})") == 2);
    CHECK(parsed.samples.at(R"(parley_test_latency_seconds_bucket{le="1"})") == 2);
    CHECK(parsed.samples.at(R"(parley_test_latency_seconds_bucket{le="10"})") == 3);
    CHECK(parsed.samples.at(R"(parley_test_latency_seconds_bucket{le="+Inf"})") == 4);
    CHECK(parsed.samples.at("parley_test_latency_seconds_count") == 4);
    CHECK(parsed.samples.at("parley_test_latency_seconds_sum") == Approx(105.15));
}

TEST_CASE("metrics: labelled histograms put le after the family's labels", "[metrics]") {
    MetricsRegistry registry;
    registry.histogram_family("parley_test_first_token_seconds", "First token.", {"provider"}, {0.5})
        .with({"openai"})
        .observe(0.2);
    const auto parsed = parse_exposition(registry.render());
    CHECK(parsed.samples.at(R"(parley_test_first_token_seconds_bucket{provider="openai",le="0.5"})") == 1);
    CHECK(parsed.samples.at(R"(parley_test_first_token_seconds_bucket{provider="openai",le="+Inf"})") == 1);
    CHECK(parsed.samples.at(R"(parley_test_first_token_seconds_count{provider="openai"})") == 1);
}

TEST_CASE("metrics: registering a name again returns the same family, another type is refused", "[metrics]") {
    MetricsRegistry registry;
    auto& first = registry.counter_family("parley_test_total", "Help.", {"a"});
    auto& again = registry.counter_family("parley_test_total", "Help.", {"a"});
    CHECK(&first == &again);
    CHECK_THROWS_AS(registry.gauge("parley_test_total", "Help."), std::logic_error);
}

TEST_CASE("metrics: concurrent updates are all counted", "[metrics]") {
    MetricsRegistry registry;
    auto& counter = registry.counter("parley_test_concurrent_total", "Help.");
    auto& histogram = registry.histogram("parley_test_concurrent_seconds", "Help.", {1});
    constexpr int kThreads = 4;
    constexpr int kPerThread = 10000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kPerThread; ++i) {
                counter.increment();
                histogram.observe(0.5);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    CHECK(counter.value() == kThreads * kPerThread);
    CHECK(histogram.snapshot().count == kThreads * kPerThread);
}
