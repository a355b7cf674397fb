#include "core/agent_state.hpp"

#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include "core/single_thread_context.hpp"

namespace {

namespace asio = boost::asio;
using parley::core::AgentState;
using parley::core::SingleThreadContext;
using IoExecutor = asio::io_context::executor_type;

}  // namespace

TEST_CASE("agent state: on a context one thread runs, the context's own executor serialises the session",
          "[core][serial]") {
    SingleThreadContext context;
    CHECK(SingleThreadContext::is(context));

    const auto serial = AgentState::serial_executor(context.get_executor());
    REQUIRE(serial.target<IoExecutor>() != nullptr);
    CHECK(*serial.target<IoExecutor>() == context.get_executor());

    // An executor that is already a strand on such a context gives the context's own executor too.
    const auto from_strand = AgentState::serial_executor(asio::make_strand(context.get_executor()));
    REQUIRE(from_strand.target<IoExecutor>() != nullptr);
    CHECK(*from_strand.target<IoExecutor>() == context.get_executor());
}

TEST_CASE("agent state: on a context several threads may run, each agent gets a strand of its own", "[core][serial]") {
    asio::io_context context;
    CHECK_FALSE(SingleThreadContext::is(context));

    const auto first = AgentState::serial_executor(context.get_executor());
    const auto second = AgentState::serial_executor(context.get_executor());
    REQUIRE(first.target<AgentState::Strand>() != nullptr);
    REQUIRE(second.target<AgentState::Strand>() != nullptr);
    CHECK(*first.target<AgentState::Strand>() != *second.target<AgentState::Strand>());
    CHECK(first.target<AgentState::Strand>()->get_inner_executor() == context.get_executor());

    // Made from a connection's strand, the agent still gets its own strand on the same context.
    const auto connection = asio::make_strand(context.get_executor());
    const auto from_strand = AgentState::serial_executor(connection);
    REQUIRE(from_strand.target<AgentState::Strand>() != nullptr);
    CHECK(*from_strand.target<AgentState::Strand>() != connection);
    CHECK(from_strand.target<AgentState::Strand>()->get_inner_executor() == context.get_executor());
}

TEST_CASE("agent state: an executor that is not an io_context's is refused", "[core][serial]") {
    asio::thread_pool pool(1);
    CHECK_THROWS_AS(AgentState::serial_executor(pool.get_executor()), std::invalid_argument);
    pool.join();
}

namespace {

// Posts and spawns `per_thread` increments of two plain counters (no atomics: only
// serial execution keeps them exact, and ThreadSanitizer quiet) from 3 threads
// through `serial`, then reads them through it.
std::pair<long, long> count_through(const asio::any_io_executor& serial, int per_thread) {
    long counted = 0;
    long spawned = 0;
    std::vector<std::thread> posters;
    for (int t = 0; t < 3; ++t) {
        posters.emplace_back([&] {
            for (int i = 0; i < per_thread; ++i) {
                asio::post(serial, [&counted] { ++counted; });
                asio::co_spawn(
                    serial,
                    [&spawned]() -> asio::awaitable<void> {
                        ++spawned;
                        co_return;
                    },
                    asio::detached);
            }
        });
    }
    for (auto& poster : posters) {
        poster.join();
    }
    // Posted after all the others, so it runs after them.
    return asio::post(serial, asio::use_future([&] { return std::pair{counted, spawned}; })).get();
}

constexpr int kPerThread = 2000;

}  // namespace

TEST_CASE("agent state: work handed to a session from other threads runs one at a time", "[core][serial]") {
    SECTION("a single-thread context, run by its one thread") {
        SingleThreadContext context;
        auto guard = asio::make_work_guard(context);
        std::thread runner([&context] { context.run(); });
        const auto counts = count_through(AgentState::serial_executor(context.get_executor()), kPerThread);
        guard.reset();
        runner.join();
        CHECK(counts == std::pair<long, long>{3 * kPerThread, 3 * kPerThread});
    }
    SECTION("a plain context, run by three threads: the strand serialises") {
        asio::io_context context;
        auto guard = asio::make_work_guard(context);
        std::vector<std::thread> runners;
        for (int i = 0; i < 3; ++i) {
            runners.emplace_back([&context] { context.run(); });
        }
        const auto counts = count_through(AgentState::serial_executor(context.get_executor()), kPerThread);
        guard.reset();
        for (auto& runner : runners) {
            runner.join();
        }
        CHECK(counts == std::pair<long, long>{3 * kPerThread, 3 * kPerThread});
    }
}
