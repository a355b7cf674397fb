// Agent runtime benchmarks (issue 5).
//
// 1. Agent cache hit: AgentCache::get of one hot entry, awaited back to back by
//    one coroutine (what every send, interrupt and subscribe pays before its
//    work), and AgentCache::peek for comparison. ns per call.
// 2. Interrupt latency: SessionService wired as the daemon wires it (SqliteStore
//    on a temporary file, StreamHub, the OpenAI provider against the in-process
//    fake model server). Each turn streams two deltas and then the upstream hangs
//    (Script::hang_after_chunks); once the subscriber has both deltas,
//    SessionService::interrupt is called and the time until that subscriber
//    receives turn.interrupted is measured (it includes storing the partial
//    reply). One coroutine on the service's I/O threads issues the interrupt and
//    drains the subscriber, as a WebSocket session would. p50, p99, max.
//
// Quick run: parley_runtime_bench --hits 100000 --interrupts 100
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>

#include "bench/service_runtime.hpp"
#include "core/agent_cache.hpp"
#include "core/agent_runtime.hpp"
#include "core/config_loader.hpp"
#include "core/metrics/metrics_registry.hpp"
#include "core/net/http_client.hpp"
#include "core/providers/provider_metrics.hpp"
#include "core/session_service.hpp"
#include "core/tools/blocking_pool.hpp"
#include "storage/id_generator.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/fake_model_server.hpp"

namespace asio = boost::asio;
namespace storage = parley::storage;
using namespace parley::core;
using SteadyClockType = std::chrono::steady_clock;

namespace {

// --- 1. agent cache hit ----------------------------------------------------------

asio::awaitable<std::shared_ptr<AgentState>> load_agent(AgentCache::LoadRequest request) {
    auto agent = std::make_shared<AgentState>(co_await asio::this_coro::executor);
    agent->session_id = std::move(request.session_id);
    agent->tenant = std::move(request.tenant);
    agent->generation = 1;
    co_return agent;
}

asio::awaitable<double> time_hits(AgentCache& cache, std::string session_id, unsigned hits) {
    AgentCache::LoadRequest first{session_id, "bench"};
    const auto loaded = co_await cache.get(std::move(first), 1);  // the one miss
    std::size_t found = loaded ? 1 : 0;
    const auto started = SteadyClockType::now();
    for (unsigned i = 0; i < hits; ++i) {
        // As SessionService::live_agent builds it for every call.
        AgentCache::LoadRequest request{session_id, "bench"};
        const auto agent = co_await cache.get(std::move(request), 1);
        found += agent ? 1 : 0;
    }
    const double seconds = std::chrono::duration<double>(SteadyClockType::now() - started).count();
    if (found != hits + 1) {
        fmt::print(stderr, "agent cache: {} of {} lookups found the agent\n", found, hits + 1);
    }
    co_return seconds * 1e9 / hits;
}

void bench_cache(unsigned hits) {
    asio::io_context io;
    SteadyClock clock;
    AgentCache::Loader loader = [](AgentCache::LoadRequest request) { return load_agent(std::move(request)); };
    AgentCache cache(io.get_executor(), AgentCacheOptions{}, clock, loader);
    // A realistic id: "ses_" and 24 characters, longer than the small-string buffer.
    const std::string session_id = storage::generate_id("ses_");
    for (unsigned i = 0; i < 99; ++i) {  // a full cache (default 100 entries) around the hot one
        AgentCache::LoadRequest request{storage::generate_id("ses_"), "bench"};
        auto filled = asio::co_spawn(io, cache.get(std::move(request), 1), asio::use_future);
        io.run();
        io.restart();
        (void)filled.get();
    }
    auto timed = asio::co_spawn(io, time_hits(cache, session_id, hits), asio::use_future);
    io.run();
    const double get_ns = timed.get();

    std::size_t found = 0;
    const auto started = SteadyClockType::now();
    for (unsigned i = 0; i < hits; ++i) {
        found += cache.peek(session_id) ? 1 : 0;
    }
    const double peek_ns = std::chrono::duration<double>(SteadyClockType::now() - started).count() * 1e9 / hits;
    const auto stats = cache.stats();
    fmt::print("agent cache, hot entry of {}: get (awaited) {:.1f} ns per hit, peek {:.1f} ns ({} hits, {} misses{})\n",
               stats.entries, get_ns, peek_ns, stats.hits, stats.misses, found == hits ? "" : ", peek missed");
}

// --- 2. interrupt latency --------------------------------------------------------

constexpr std::size_t kDeltasBeforeHang = 2;

// The configuration of an agent `hung` whose provider is the fake model server.
std::string hung_agent_config(const parley::testing::FakeModelServer& fake) {
    return fmt::format(R"(
[providers.fake]
kind = "openai"
base_url = "{}/v1"
api_key_env = ""
max_retries = 0
[agents.hung]
provider = "fake"
model = "fake-model"
)",
                       fake.base_url());
}

struct Interrupted {
    double latency_us = 0;
    bool ok = false;
};

// One turn on a fresh session: stream until the upstream hangs, interrupt, await turn.interrupted.
asio::awaitable<Interrupted> interrupt_one(SessionService& service) {
    NewSession fresh{"bench", "hung", std::nullopt, "{}"};
    auto session = co_await service.create(std::move(fresh));
    if (!session) {
        co_return Interrupted{};
    }
    const auto executor = co_await asio::this_coro::executor;
    auto subscriber = std::make_shared<Subscriber>(executor, StreamHubOptions{}.subscriber_queue);
    SendRequest send{"bench", session->id, "go", subscriber, nullptr};
    auto accepted = co_await service.send(std::move(send));
    if (!accepted) {
        co_return Interrupted{};
    }
    std::size_t deltas = 0;
    while (deltas < kDeltasBeforeHang) {
        const auto batch = co_await subscriber->next_batch();
        if (batch.empty()) {
            co_return Interrupted{};
        }
        for (const auto& event : batch) {
            deltas += event->type == EventType::message_delta ? 1 : 0;
        }
    }
    const auto started = SteadyClockType::now();
    std::string tenant = "bench";
    std::string session_id = session->id;
    auto interrupted = co_await service.interrupt(std::move(tenant), std::move(session_id));
    if (!interrupted || !*interrupted) {
        co_return Interrupted{};
    }
    for (;;) {
        const auto batch = co_await subscriber->next_batch();
        if (batch.empty()) {
            co_return Interrupted{};
        }
        for (const auto& event : batch) {
            if (event->type == EventType::turn_interrupted && event->turn_id == accepted->turn_id) {
                const double us = std::chrono::duration<double, std::micro>(SteadyClockType::now() - started).count();
                (void)co_await accepted->turn->wait();
                subscriber->close(SubscriberClose::unsubscribed);
                co_return Interrupted{us, true};
            }
        }
    }
}

double percentile(const std::vector<double>& sorted, double p) {
    return sorted[static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1))];
}

void bench_interrupts(unsigned count, unsigned threads) {
    parley::testing::FakeModelServer fake;
    parley::testing::Script hang;
    hang.text = "partial words then silence";
    hang.hang_after_chunks = kDeltasBeforeHang;
    fake.set_default_script(hang);
    const auto dir = std::filesystem::temp_directory_path() / storage::generate_id("parley-bench-");
    std::filesystem::create_directories(dir);
    std::vector<double> latencies;
    unsigned failed = 0;
    {
        parley::bench::ServiceRuntime runtime(hung_agent_config(fake), (dir / "runtime.db").string(), threads);
        for (unsigned i = 0; i < count; ++i) {
            const auto result = runtime.run(interrupt_one(runtime.service()));
            if (result.ok) {
                latencies.push_back(result.latency_us);
            } else {
                ++failed;
            }
        }
    }
    std::filesystem::remove_all(dir);
    if (latencies.empty()) {
        fmt::print("interrupt latency: every interrupt failed\n");
        return;
    }
    std::sort(latencies.begin(), latencies.end());
    fmt::print(
        "interrupt -> turn.interrupted at the subscriber ({} turns, {} I/O threads): p50 {:.0f} us, p99 {:.0f} us, "
        "max {:.0f} us{}\n",
        latencies.size(), threads, percentile(latencies, 0.50), percentile(latencies, 0.99), latencies.back(),
        failed != 0 ? fmt::format(" ({} failed)", failed) : "");
}

}  // namespace

int main(int argc, char** argv) {
    unsigned hits = 5'000'000;
    unsigned interrupts = 1'000;
    unsigned threads = 2;
    bool skip_cache = false;
    bool skip_interrupts = false;
    CLI::App app{"parley agent runtime benchmark"};
    app.add_option("--hits", hits, "agent cache hits timed")->check(CLI::PositiveNumber);
    app.add_option("--interrupts", interrupts, "interrupted turns timed")->check(CLI::PositiveNumber);
    app.add_option("--threads", threads, "the session service's I/O threads")->check(CLI::PositiveNumber);
    app.add_flag("--skip-cache", skip_cache, "skip the agent cache test");
    app.add_flag("--skip-interrupts", skip_interrupts, "skip the interrupt latency test");
    CLI11_PARSE(app, argc, argv);
    spdlog::set_level(spdlog::level::warn);
    if (!skip_cache) {
        bench_cache(hits);
    }
    if (!skip_interrupts) {
        bench_interrupts(interrupts, threads);
    }
    return 0;
}
