#include "core/tools/blocking_pool.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include "tests/core/run_io.hpp"

namespace {

namespace asio = boost::asio;
using parley::core::BlockingPool;
using parley::core::test::run_io;

struct Observed {
    std::string value;
    bool on_caller_thread = false;
    bool ran_elsewhere = false;
};

asio::awaitable<Observed> run_once(BlockingPool& pool) {
    const auto caller = std::this_thread::get_id();
    // Jobs are named, never temporaries in a co_await expression (GCC 12 destroys those twice).
    auto job = [caller] { return std::pair{std::string("done"), std::this_thread::get_id() != caller}; };
    auto result = co_await pool.run(std::move(job));
    Observed observed;
    observed.value = result.value().first;
    observed.on_caller_thread = std::this_thread::get_id() == caller;
    observed.ran_elsewhere = result.value().second;
    co_return observed;
}

asio::awaitable<std::string> run_throwing(BlockingPool& pool) {
    try {
        auto job = []() -> int { throw std::runtime_error("boom"); };
        (void)co_await pool.run(job);
    } catch (const std::runtime_error& error) {
        co_return error.what();
    }
    co_return "no exception";
}

// A job that waits for the gate. Plain references: the test outlives every job.
asio::awaitable<void> hold_job(BlockingPool& pool, const std::shared_future<void>& gate,
                               std::vector<boost::system::result<int>>& results, std::atomic<int>& finished,
                               int index) {
    auto job = [&gate, index] {
        gate.wait();
        return index;
    };
    auto result = co_await pool.run(job);
    results.push_back(result);
    ++finished;
}

}  // namespace

TEST_CASE("the blocking pool runs work on its threads and resumes on the caller's", "[tools]") {
    BlockingPool pool(BlockingPool::Options{.threads = 2, .queue_capacity = 4});
    asio::io_context io;
    const auto observed = run_io(io, run_once(pool));
    CHECK(observed.value == "done");
    CHECK(observed.ran_elsewhere);
    CHECK(observed.on_caller_thread);
    CHECK(pool.pending() == 0);
}

TEST_CASE("the blocking pool rethrows a job's exception to its caller", "[tools]") {
    BlockingPool pool;
    asio::io_context io;
    CHECK(run_io(io, run_throwing(pool)) == "boom");
    CHECK(pool.pending() == 0);
}

TEST_CASE("the blocking pool rejects work beyond its bound instead of waiting", "[tools]") {
    BlockingPool pool(BlockingPool::Options{.threads = 1, .queue_capacity = 1});
    CHECK(pool.capacity() == 2);
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    asio::io_context io;
    std::atomic<int> finished{0};
    std::vector<boost::system::result<int>> results;
    for (int i = 0; i < 3; ++i) {
        asio::co_spawn(io, hold_job(pool, gate, results, finished, i), asio::detached);
    }
    // The third job is refused at once, while the other two are held.
    while (finished.load() < 1) {
        io.run_one();
    }
    REQUIRE(results.size() == 1);
    CHECK(results[0].has_error());
    CHECK(results[0].error() == boost::system::errc::resource_unavailable_try_again);
    CHECK(pool.pending() == 2);
    release.set_value();
    io.run();
    REQUIRE(results.size() == 3);
    CHECK(results[1].value() + results[2].value() == 1);
    CHECK(pool.pending() == 0);
}
