#include "storage/read_pool.hpp"

#include <atomic>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <boost/asio/use_future.hpp>

#include "storage/batch_writer.hpp"
#include "temp_dir.hpp"

using namespace parley::storage;
using parley::storage::test::TempDir;
namespace asio = boost::asio;

namespace {

std::unique_ptr<BatchWriter> make_writer(const TempDir& dir, const Options& options) {
    auto connection = std::make_unique<Connection>(dir.file("db"), ConnectionRole::writer, options.synchronous,
                                                   options.busy_timeout_ms);
    connection->exec("CREATE TABLE IF NOT EXISTS t (v INTEGER NOT NULL)");
    return std::make_unique<BatchWriter>(std::move(connection), options);
}

std::future<Result<std::int64_t>> count(ReadPool& pool) {
    return pool.async_read<std::int64_t>(
        [](Connection& db) -> Result<std::int64_t> { return db.query_int64("SELECT count(*) FROM t"); },
        asio::use_future);
}

}  // namespace

TEST_CASE("the pool runs queries on read_pool_size threads of read-only connections", "[storage]") {
    TempDir dir;
    Options options;
    options.read_pool_size = 3;
    auto writer = make_writer(dir, options);
    ReadPool pool(dir.file("db"), options);
    CHECK(pool.size() == 3);

    // Each query waits until three are running at once: proof of three threads.
    std::atomic<int> running{0};
    std::vector<std::future<Result<std::thread::id>>> results;
    for (int i = 0; i < 3; ++i) {
        results.push_back(pool.async_read<std::thread::id>(
            [&running](Connection&) -> Result<std::thread::id> {
                running.fetch_add(1);
                while (running.load() < 3) {
                    std::this_thread::yield();
                }
                return std::this_thread::get_id();
            },
            asio::use_future));
    }
    std::set<std::thread::id> threads;
    for (auto& result : results) {
        threads.insert(result.get().value());
    }
    CHECK(threads.size() == 3);

    auto write = pool.async_read<int>(
        [](Connection& db) -> Result<int> {
            db.exec("INSERT INTO t VALUES (1)");
            return 0;
        },
        asio::use_future);
    CHECK(write.get().error() == StoreErrc::internal);  // query_only
}

TEST_CASE("a read sees every commit completed before it started, under concurrent writes", "[storage]") {
    TempDir dir;
    Options options;
    options.batch_max_delay_ms = 2;
    options.read_pool_size = 4;
    auto writer = make_writer(dir, options);
    ReadPool pool(dir.file("db"), options);

    constexpr int kWriters = 4;
    constexpr int kWrites = 60;
    std::vector<std::thread> threads;
    std::atomic<bool> failed{false};
    for (int w = 0; w < kWriters; ++w) {
        threads.emplace_back([&] {
            for (int i = 0; i < kWrites; ++i) {
                auto written = writer
                                   ->async_write<std::int64_t>(
                                       [](Connection& db) -> Result<std::int64_t> {
                                           db.exec("INSERT INTO t VALUES (1)");
                                           return db.query_int64("SELECT count(*) FROM t");
                                       },
                                       asio::use_future)
                                   .get();
                // Every read started after this commit completed counts at least this many rows.
                const auto seen = count(pool).get();
                if (!written || !seen || *seen < *written) {
                    failed = true;
                }
            }
        });
    }
    // Meanwhile, readers hammer the pool: counts never go backwards for one reader.
    std::thread observer([&] {
        std::int64_t last = 0;
        for (int i = 0; i < 200; ++i) {
            const auto seen = count(pool).get();
            if (!seen || *seen < last) {
                failed = true;
            }
            last = seen ? *seen : last;
        }
    });
    for (auto& thread : threads) {
        thread.join();
    }
    observer.join();
    CHECK_FALSE(failed.load());
    CHECK(count(pool).get().value() == kWriters * kWrites);
}

TEST_CASE("a stopped pool refuses reads", "[storage]") {
    TempDir dir;
    Options options;
    auto writer = make_writer(dir, options);
    ReadPool pool(dir.file("db"), options);
    pool.stop();
    CHECK(count(pool).get().error() == StoreErrc::closed);
}
