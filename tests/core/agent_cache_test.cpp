#include "core/agent_cache.hpp"

#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

namespace {

namespace asio = boost::asio;
using namespace parley::core;
using namespace std::chrono_literals;

class ManualClock final : public Clock {
public:
    [[nodiscard]] time_point now() const override { return now_; }
    void advance(std::chrono::seconds by) { now_ += by; }

private:
    time_point now_{std::chrono::seconds(1000)};
};

// Counts loads; each load takes `delay` so concurrent misses overlap.
struct CountingLoader {
    std::atomic<int> loads{0};
    std::chrono::milliseconds delay{0};
    std::uint64_t generation = 1;

    AgentCache::Loader loader() {
        return [this](AgentCache::LoadRequest request) -> asio::awaitable<std::shared_ptr<AgentState>> {
            return load(this, std::move(request));
        };
    }

    static asio::awaitable<std::shared_ptr<AgentState>> load(CountingLoader* self, AgentCache::LoadRequest request) {
        const auto& session_id = request.session_id;
        self->loads.fetch_add(1);
        if (self->delay.count() > 0) {
            asio::steady_timer timer(co_await asio::this_coro::executor, self->delay);
            co_await timer.async_wait(asio::use_awaitable);
        }
        if (session_id == "missing") {
            throw std::runtime_error("session_not_found");
        }
        auto agent = std::make_shared<AgentState>(co_await asio::this_coro::executor);
        agent->session_id = session_id;
        agent->tenant = request.tenant;
        agent->generation = self->generation;
        co_return agent;
    }
};

AgentLease lease(asio::io_context& io, AgentCache& cache, const std::string& id, std::uint64_t generation = 1) {
    auto future = asio::co_spawn(io, cache.get({id, "acme"}, generation), asio::use_future);
    io.restart();
    io.run();
    return future.get();
}

// The agent, its lease already ended: cached and not in use.
std::shared_ptr<AgentState> get(asio::io_context& io, AgentCache& cache, const std::string& id,
                                std::uint64_t generation = 1) {
    return lease(io, cache, id, generation).agent();
}

}  // namespace

TEST_CASE("the cache evicts the least recently used idle entry beyond max_entries", "[core][cache]") {
    asio::io_context io;
    ManualClock clock;
    CountingLoader counting;
    AgentCache cache(io.get_executor(), {3, 3600s}, clock, counting.loader());
    for (const auto* id : {"a", "b", "c"}) {
        (void)get(io, cache, id);
    }
    (void)get(io, cache, "a");  // a is now the most recent: b is the LRU
    (void)get(io, cache, "d");
    CHECK(cache.peek("b") == nullptr);
    CHECK(cache.peek("a") != nullptr);
    CHECK(cache.peek("c") != nullptr);
    const auto stats = cache.stats();
    CHECK(stats.entries == 3);
    CHECK(stats.evictions == 1);
    CHECK(stats.hits == 1);
    CHECK(stats.misses == 4);
}

TEST_CASE("an agent with active turns is never evicted", "[core][cache]") {
    asio::io_context io;
    ManualClock clock;
    CountingLoader counting;
    AgentCache cache(io.get_executor(), {2, 60s}, clock, counting.loader());
    auto running = get(io, cache, "running");
    running->active_turns = 1;
    (void)get(io, cache, "b");
    (void)get(io, cache, "c");  // over capacity: b goes, not the busy LRU entry
    CHECK(cache.peek("running") != nullptr);
    CHECK(cache.peek("b") == nullptr);

    clock.advance(120s);
    CHECK(cache.evict_expired() == 1);  // c expires; the running agent stays
    CHECK(cache.peek("running") != nullptr);
    running->active_turns = 0;
    clock.advance(120s);
    CHECK(cache.evict_expired() == 1);
    CHECK(cache.stats().entries == 0);
}

TEST_CASE("entries idle past the TTL expire; recently used ones stay", "[core][cache]") {
    asio::io_context io;
    ManualClock clock;
    CountingLoader counting;
    AgentCache cache(io.get_executor(), {100, 60s}, clock, counting.loader());
    (void)get(io, cache, "old");
    clock.advance(40s);
    (void)get(io, cache, "new");
    clock.advance(30s);  // old: 70 s idle, new: 30 s
    CHECK(cache.evict_expired() == 1);
    CHECK(cache.peek("old") == nullptr);
    CHECK(cache.peek("new") != nullptr);
    (void)get(io, cache, "old");
    CHECK(counting.loads == 3);
}

TEST_CASE("the expiry timer evicts without any call to the cache", "[core][cache]") {
    asio::io_context io;
    SteadyClock clock;
    CountingLoader counting;
    AgentCache cache(io.get_executor(), {100, 1s}, clock, counting.loader());
    (void)get(io, cache, "a");
    cache.start();
    asio::steady_timer wait(io, 1500ms);
    wait.async_wait([&](auto) { asio::co_spawn(io, cache.stop(), asio::detached); });
    io.restart();
    io.run();
    CHECK(cache.peek("a") == nullptr);
    CHECK(cache.stats().evictions == 1);
}

TEST_CASE("concurrent misses for one session load it once", "[core][cache]") {
    // Four threads running one io_context, as parleyd's I/O threads do (an
    // agent's executor needs an io_context executor).
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::vector<std::jthread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&io] { io.run(); });
    }
    SteadyClock clock;
    CountingLoader counting;
    counting.delay = 50ms;
    AgentCache cache(io.get_executor(), {100, 60s}, clock, counting.loader());
    std::vector<std::future<AgentLease>> results;
    for (int i = 0; i < 16; ++i) {
        results.push_back(asio::co_spawn(io, cache.get({"same", "acme"}, 1), asio::use_future));
    }
    std::vector<AgentLease> leases;
    for (auto& result : results) {
        leases.push_back(result.get());
        REQUIRE(leases.back());
        CHECK(leases.back().agent() == leases.front().agent());
    }
    CHECK(counting.loads == 1);
    const auto agent = leases.front().agent();
    CHECK(agent->leases == 16);  // one each, the waiters' included
    leases.clear();
    CHECK(agent->leases == 0);
    work.reset();
    threads.clear();  // joins them, as thread_pool::join would
}

// Between the cache handing an agent to a send and the send counting its turn,
// only the lease keeps it: evicted there, the session would get a second agent.
TEST_CASE("a leased agent is kept beyond max_entries, and evicted once its lease ends", "[core][cache]") {
    asio::io_context io;
    ManualClock clock;
    CountingLoader counting;
    AgentCache cache(io.get_executor(), {1, 60s}, clock, counting.loader());
    auto busy = get(io, cache, "busy");
    busy->active_turns = 1;
    {
        // Loaded into a cache full of agents in use: the one eviction would pick.
        const auto loaded = lease(io, cache, "loaded");
        REQUIRE(loaded);
        CHECK(cache.peek("loaded") == loaded.agent());
        CHECK(cache.peek("busy") == busy);
        CHECK(cache.stats().entries == 2);
    }
    busy->active_turns = 0;
    (void)get(io, cache, "next");  // the insertion that brings the cache back to max_entries
    CHECK(cache.peek("loaded") == nullptr);
    CHECK(cache.peek("busy") == nullptr);
    CHECK(cache.stats().entries == 1);
}

TEST_CASE("an agent leased past its TTL stays until the lease ends", "[core][cache]") {
    asio::io_context io;
    ManualClock clock;
    CountingLoader counting;
    AgentCache cache(io.get_executor(), {100, 60s}, clock, counting.loader());
    auto held = lease(io, cache, "s");
    clock.advance(61s);
    CHECK(cache.evict_expired() == 0);
    CHECK(cache.peek("s") == held.agent());
    held = AgentLease{};
    clock.advance(61s);
    CHECK(cache.evict_expired() == 1);
    CHECK(cache.peek("s") == nullptr);
}

TEST_CASE("a failed load reaches every waiter and caches nothing", "[core][cache]") {
    asio::io_context io;
    ManualClock clock;
    CountingLoader counting;
    AgentCache cache(io.get_executor(), {100, 60s}, clock, counting.loader());
    CHECK_THROWS_WITH(get(io, cache, "missing"), "session_not_found");
    CHECK(cache.stats().entries == 0);
}

TEST_CASE("an idle entry from an older configuration generation is rebuilt", "[core][cache]") {
    asio::io_context io;
    ManualClock clock;
    CountingLoader counting;
    AgentCache cache(io.get_executor(), {100, 60s}, clock, counting.loader());
    auto first = get(io, cache, "s", 1);
    counting.generation = 2;
    first->active_turns = 1;
    CHECK(get(io, cache, "s", 2) == first);  // busy: keeps serving its turn
    first->active_turns = 0;
    {
        const auto held = lease(io, cache, "s", 1);
        CHECK(get(io, cache, "s", 2) == first);  // leased to a send: kept as well
    }
    auto rebuilt = get(io, cache, "s", 2);
    CHECK(rebuilt != first);
    CHECK(rebuilt->generation == 2);
    CHECK(counting.loads == 2);
}

TEST_CASE("erase forgets a session", "[core][cache]") {
    asio::io_context io;
    ManualClock clock;
    CountingLoader counting;
    AgentCache cache(io.get_executor(), {100, 60s}, clock, counting.loader());
    (void)get(io, cache, "s");
    cache.erase("s");
    CHECK(cache.peek("s") == nullptr);
}

TEST_CASE("another tenant's session is not found in the cache", "[core][cache]") {
    asio::io_context io;
    ManualClock clock;
    CountingLoader counting;
    AgentCache cache(io.get_executor(), {100, 60s}, clock, counting.loader());
    (void)get(io, cache, "s");
    auto future = asio::co_spawn(io, cache.get({"s", "other"}, 1), asio::use_future);
    io.restart();
    io.run();
    CHECK_FALSE(future.get());
    CHECK(cache.peek("s")->leases == 0);
}

TEST_CASE("a new session's agent is cached without a load, and never replaces a cached one", "[core][cache]") {
    asio::io_context io;
    ManualClock clock;
    CountingLoader counting;
    AgentCache cache(io.get_executor(), {2, 60s}, clock, counting.loader());
    auto fresh = std::make_shared<AgentState>(io.get_executor());
    fresh->session_id = "new";
    fresh->tenant = "acme";
    fresh->generation = 1;
    cache.insert_new(fresh);
    CHECK(get(io, cache, "new") == fresh);
    CHECK(counting.loads == 0);
    CHECK(cache.stats().hits == 1);

    auto loaded = get(io, cache, "loaded");
    auto duplicate = std::make_shared<AgentState>(io.get_executor());
    duplicate->session_id = "loaded";
    duplicate->tenant = "acme";
    cache.insert_new(duplicate);
    CHECK(cache.peek("loaded") == loaded);

    // Inserting counts as a use: beyond max_entries the least recently used goes.
    auto third = std::make_shared<AgentState>(io.get_executor());
    third->session_id = "third";
    third->tenant = "acme";
    cache.insert_new(third);
    CHECK(cache.peek("new") == nullptr);
    CHECK(cache.peek("third") == third);
    CHECK(cache.stats().evictions == 1);
}
