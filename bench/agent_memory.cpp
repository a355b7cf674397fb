// Memory of cached agents (docs/BENCHMARKS.md, scenario c).
//
// SessionService wired as the daemon wires it (SqliteStore on a temporary
// file, StreamHub, a mock provider, the daemon's default 2 I/O threads), with
// an agent cache large enough for every session. Creates N sessions, reads
// each once (so SQLite's page caches and the read path are warm and not
// counted), then loads every session's agent into the cache through
// AgentCache::get, as a send does, and reports what the cached agents cost:
//   RSS: /proc/self/statm resident pages, after malloc_trim(0), before and after;
//   heap: mallinfo2() bytes in use (arena + mmapped), before and after.
// Prints one "result ..." line; exits 1 when not every agent was cached.
//
// Quick run: parley_agent_memory --agents 1000
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <future>
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
#include <boost/asio/use_future.hpp>

#include "bench/service_runtime.hpp"
#include "core/agent_runtime.hpp"
#include "core/config_loader.hpp"
#include "core/metrics/metrics_registry.hpp"
#include "core/net/http_client.hpp"
#include "core/providers/provider_metrics.hpp"
#include "core/session_service.hpp"
#include "core/tools/blocking_pool.hpp"
#include "storage/id_generator.hpp"
#include "storage/sqlite_store.hpp"

namespace asio = boost::asio;
namespace storage = parley::storage;
using namespace parley::core;

namespace {

constexpr std::size_t kConcurrentCalls = 64;
constexpr auto kTenant = "bench";

struct Memory {
    std::size_t rss_bytes = 0;
    std::size_t heap_bytes = 0;
};

// Free heap pages are returned first, so RSS counts what is in use.
Memory measure() {
    malloc_trim(0);
    std::ifstream statm("/proc/self/statm");
    std::size_t size = 0;
    std::size_t resident = 0;
    statm >> size >> resident;
    const auto info = mallinfo2();
    return {resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), info.uordblks + info.hblkhd};
}

constexpr std::string_view kMockAgentConfig = R"(
[providers.mock]
kind = "mock"
[agents.bench]
provider = "mock"
model = "mock"
)";

// Calls `each(i)` for i in [0, count), kConcurrentCalls at a time; returns how many succeeded.
template <typename Each>
std::size_t run_concurrently(parley::bench::ServiceRuntime& runtime, std::size_t count, Each each) {
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> succeeded{0};
    auto worker = [&]() -> asio::awaitable<void> {
        for (auto i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
            if (co_await each(i)) {
                succeeded.fetch_add(1);
            }
        }
    };
    std::vector<std::future<void>> workers;
    for (std::size_t i = 0; i < kConcurrentCalls; ++i) {
        workers.push_back(asio::co_spawn(runtime.io(), worker(), asio::use_future));
    }
    for (auto& done : workers) {
        done.get();
    }
    return succeeded.load();
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t agents = 10'000;
    unsigned threads = 2;
    CLI::App app{"parley cached agent memory benchmark"};
    app.add_option("--agents", agents, "sessions whose agents are cached")->check(CLI::PositiveNumber);
    app.add_option("--threads", threads, "the session service's I/O threads")->check(CLI::PositiveNumber);
    CLI11_PARSE(app, argc, argv);
    spdlog::set_level(spdlog::level::warn);

    const auto dir = std::filesystem::temp_directory_path() / storage::generate_id("parley-bench-");
    std::filesystem::create_directories(dir);
    int status = 0;
    {
        AgentCacheOptions cache;
        cache.max_entries = agents;
        parley::bench::ServiceRuntime runtime(std::string(kMockAgentConfig), (dir / "agents.db").string(), threads,
                                              cache);
        auto& service = runtime.service();
        std::vector<std::string> ids(agents);
        const auto created = run_concurrently(runtime, agents, [&](std::size_t i) -> asio::awaitable<bool> {
            NewSession request{kTenant, "bench", std::nullopt, "{}"};
            auto session = co_await service.create(std::move(request));
            if (session) {
                ids[i] = session->id;
            }
            co_return session.has_value();
        });
        const auto read = run_concurrently(runtime, agents, [&](std::size_t i) -> asio::awaitable<bool> {
            auto session = co_await service.get(kTenant, ids[i]);
            co_return session.has_value();
        });
        // A created session's agent is cached at once: forget them, so the load below builds
        // each one as a send after an eviction or a restart would.
        for (const auto& id : ids) {
            service.cache().erase(id);
        }
        const auto misses_before = service.cache_stats().misses;
        const auto generation = service.runtime()->config->generation;
        const auto before = measure();
        const auto loaded = run_concurrently(runtime, agents, [&](std::size_t i) -> asio::awaitable<bool> {
            AgentCache::LoadRequest request{ids[i], kTenant};
            const auto lease = co_await service.cache().get(std::move(request), generation);
            co_return lease&& lease.agent()->history.empty();
        });
        const auto after = measure();
        const auto stats = service.cache_stats();
        const auto channels = runtime.hub().channel_count();
        const auto per_agent = [&](std::size_t from, std::size_t to) {
            return (static_cast<double>(to) - static_cast<double>(from)) / static_cast<double>(agents);
        };
        fmt::print(
            "result agents={} created={} read={} loaded={} built={} cache_entries={} channels={} rss_before_kib={} "
            "rss_after_kib={} rss_per_agent_bytes={:.0f} heap_per_agent_bytes={:.0f}\n",
            agents, created, read, loaded, stats.misses - misses_before, stats.entries, channels,
            before.rss_bytes / 1024, after.rss_bytes / 1024, per_agent(before.rss_bytes, after.rss_bytes),
            per_agent(before.heap_bytes, after.heap_bytes));
        if (created != agents || loaded != agents || stats.entries != agents ||
            stats.misses - misses_before != agents) {
            status = 1;
        }
    }
    std::filesystem::remove_all(dir);
    return status;
}
