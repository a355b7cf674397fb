#include "storage/batch_writer.hpp"

#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "storage/transaction.hpp"
#include "temp_dir.hpp"

using namespace parley::storage;
using parley::storage::test::TempDir;
namespace asio = boost::asio;

namespace {

// A writer over a database with one table t(v TEXT UNIQUE).
std::unique_ptr<BatchWriter> make_writer(const TempDir& dir, Options options) {
    auto connection = std::make_unique<Connection>(dir.file("db"), ConnectionRole::writer, options.synchronous,
                                                   options.busy_timeout_ms);
    connection->exec("CREATE TABLE IF NOT EXISTS t (v TEXT UNIQUE NOT NULL)");
    return std::make_unique<BatchWriter>(std::move(connection), options);
}

std::future<Result<std::int64_t>> insert(BatchWriter& writer, std::string value) {
    return writer.async_write<std::int64_t>(
        [value = std::move(value)](Connection& db) -> Result<std::int64_t> {
            auto statement = db.cached("INSERT INTO t (v) VALUES (?1)");
            statement->bind_text(1, value);
            statement->run();
            return db.query_int64("SELECT count(*) FROM t");
        },
        asio::use_future);
}

std::int64_t count_rows(const TempDir& dir) {
    Connection reader(dir.file("db"), ConnectionRole::reader, SyncMode::normal, 1000);
    return reader.query_int64("SELECT count(*) FROM t");
}

}  // namespace

TEST_CASE("concurrent writers share commits: about N/batch_max_ops", "[storage]") {
    TempDir dir;
    Options options;
    options.batch_max_ops = 50;
    options.batch_max_delay_ms = 1000;  // batches close by size, not by time
    auto writer = make_writer(dir, options);

    constexpr int kThreads = 4;
    constexpr int kPerThread = 125;  // N = 500
    std::vector<std::future<Result<std::int64_t>>> results(kThreads * kPerThread);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                results[t * kPerThread + i] = insert(*writer, std::to_string(t) + "-" + std::to_string(i));
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (auto& result : results) {
        REQUIRE(result.get().has_value());
    }
    const StoreStats stats = writer->stats();
    CHECK(stats.commits_total == 10);
    CHECK(stats.ops_total == 500);
    CHECK(stats.ops_failed_total == 0);
    CHECK(stats.queue_depth == 0);
    CHECK(stats.batch_size.count == 10);
    CHECK(stats.batch_size.sum == Approx(500));
    CHECK(stats.commit_duration.count == 10);
    CHECK(count_rows(dir) == 500);
}

TEST_CASE("a lone operation commits after batch_max_delay_ms", "[storage]") {
    TempDir dir;
    Options options;
    options.batch_max_delay_ms = 50;
    auto writer = make_writer(dir, options);
    const auto started = std::chrono::steady_clock::now();
    auto result = insert(*writer, "only").get();
    const auto waited = std::chrono::steady_clock::now() - started;
    REQUIRE(result.has_value());
    CHECK(*result == 1);
    CHECK(waited >= std::chrono::milliseconds(45));
    CHECK(waited < std::chrono::milliseconds(1000));
    CHECK(writer->stats().commits_total == 1);
}

TEST_CASE("a failing operation fails only itself", "[storage]") {
    TempDir dir;
    Options options;
    options.batch_max_ops = 5;
    options.batch_max_delay_ms = 1000;
    auto writer = make_writer(dir, options);

    auto a = insert(*writer, "a");
    auto duplicate = insert(*writer, "a");  // UNIQUE violation
    auto refused = writer->async_write<int>(
        [](Connection& db) -> Result<int> {
            db.exec("INSERT INTO t (v) VALUES ('written then undone')");
            return StoreErrc::invalid_argument;  // an error value undoes the operation's writes too
        },
        asio::use_future);
    auto thrown = writer->async_write<int>(
        [](Connection& db) -> Result<int> {
            db.exec("INSERT INTO nowhere VALUES (1)");
            return 1;
        },
        asio::use_future);
    auto b = insert(*writer, "b");

    CHECK(a.get().value() == 1);
    CHECK(duplicate.get().error() == StoreErrc::duplicate_id);
    CHECK(refused.get().error() == StoreErrc::invalid_argument);
    CHECK(thrown.get().error() == StoreErrc::internal);
    CHECK(b.get().value() == 2);

    const StoreStats stats = writer->stats();
    CHECK(stats.commits_total == 1);
    CHECK(stats.ops_total == 5);
    CHECK(stats.ops_failed_total == 3);
    CHECK(count_rows(dir) == 2);
}

TEST_CASE("stop drains and commits everything queued, then refuses work", "[storage]") {
    TempDir dir;
    Options options;
    options.batch_max_ops = 1000;
    options.batch_max_delay_ms = 60'000;  // nothing would commit before stop
    auto writer = make_writer(dir, options);
    std::vector<std::future<Result<std::int64_t>>> results;
    for (int i = 0; i < 100; ++i) {
        results.push_back(insert(*writer, std::to_string(i)));
    }
    CHECK(writer->alive());
    writer->stop();
    CHECK_FALSE(writer->alive());
    for (auto& result : results) {
        CHECK(result.get().has_value());
    }
    CHECK(writer->stats().commits_total == 1);
    CHECK(insert(*writer, "late").get().error() == StoreErrc::closed);
    CHECK(count_rows(dir) == 100);
}

TEST_CASE("a full queue refuses with queue_full", "[storage]") {
    TempDir dir;
    Options options;
    options.batch_max_ops = 100;
    options.batch_max_delay_ms = 60'000;
    options.writer_queue_capacity = 3;
    auto writer = make_writer(dir, options);
    std::vector<std::future<Result<std::int64_t>>> accepted;
    for (int i = 0; i < 3; ++i) {
        accepted.push_back(insert(*writer, std::to_string(i)));
    }
    CHECK(writer->stats().queue_depth == 3);
    CHECK(insert(*writer, "over").get().error() == StoreErrc::queue_full);
    writer->stop();
    for (auto& result : accepted) {
        CHECK(result.get().has_value());
    }
}

TEST_CASE("a busy database is retried with backoff", "[storage]") {
    TempDir dir;
    Options options;
    options.batch_max_delay_ms = 0;
    options.busy_timeout_ms = 50;  // then BUSY surfaces and the writer's own retries take over
    auto writer = make_writer(dir, options);

    Connection other(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 1);
    auto lock = std::make_unique<Transaction>(other, TransactionMode::immediate);
    auto result = insert(*writer, "after the lock");
    // Release the lock once the writer has retried; its later attempts (each
    // waiting busy_timeout_ms) then succeed.
    while (writer->stats().busy_retries_total == 0) {
        std::this_thread::yield();
    }
    lock.reset();
    CHECK(result.get().has_value());
    CHECK(writer->stats().busy_retries_total >= 1);

    SECTION("and reported as busy when the lock outlasts the retries") {
        auto held = std::make_unique<Transaction>(other, TransactionMode::immediate);
        CHECK(insert(*writer, "never").get().error() == StoreErrc::busy);
    }
}

TEST_CASE("completions reach an awaiting coroutine on its own executor", "[storage]") {
    TempDir dir;
    Options options;
    options.batch_max_delay_ms = 1;
    auto writer = make_writer(dir, options);
    asio::io_context io;
    std::thread::id completed_on;
    Result<std::int64_t> outcome = StoreErrc::internal;
    asio::co_spawn(
        io,
        [](BatchWriter& w, std::thread::id& on, Result<std::int64_t>& out) -> asio::awaitable<void> {
            out = co_await w.async_write<std::int64_t>([](Connection&) -> Result<std::int64_t> { return 42; },
                                                       asio::use_awaitable);
            on = std::this_thread::get_id();
        }(*writer, completed_on, outcome),
        asio::detached);
    io.run();  // returns only after the completion: the operation holds work on io
    CHECK(outcome.value() == 42);
    CHECK(completed_on == std::this_thread::get_id());
}
