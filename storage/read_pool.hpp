#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/asio/async_result.hpp>

#include "storage/connection.hpp"
#include "storage/detail/op.hpp"
#include "storage/detail/typed_op.hpp"
#include "storage/options.hpp"
#include "storage/result.hpp"

namespace parley::storage {

// read_pool_size read-only (query_only) connections, each on its own thread,
// taking queries from one shared queue. Every query runs in autocommit mode
// or its own short read transaction, and cached statements are reset after
// use, so a read sees every commit completed before it started (WAL).
class ReadPool {
public:
    // Opens the connections (the database must exist and be migrated).
    ReadPool(const std::string& path, const Options& options);
    ~ReadPool();

    ReadPool(const ReadPool&) = delete;
    ReadPool& operator=(const ReadPool&) = delete;
    ReadPool(ReadPool&&) = delete;
    ReadPool& operator=(ReadPool&&) = delete;

    // Runs fn(Connection&) -> Result<T> on a reader thread and completes with
    // its result on the handler's executor. fn may throw SqliteError (BUSY is
    // retried; anything else becomes a StoreErrc). Completion signature
    // void(Result<T>). More than the queue capacity waiting: queue_full.
    template <class T, class Fn, class CompletionToken>
    auto async_read(Fn fn, CompletionToken&& token) {
        static_assert(std::is_invocable_r_v<Result<T>, Fn&, Connection&>);
        return boost::asio::async_initiate<CompletionToken, void(Result<T>)>(
            [this](auto handler, Fn work) {
                using Handler = decltype(handler);
                submit(std::make_unique<detail::TypedOp<T, Fn, Handler>>(std::move(work), std::move(handler)));
            },
            token, std::move(fn));
    }

    // Fails queued reads with StoreErrc::closed after running those already
    // taken, and joins the threads. Idempotent.
    void stop();

    [[nodiscard]] std::size_t size() const noexcept { return threads_.size(); }

private:
    void submit(std::unique_ptr<detail::Op> op);
    void run(Connection& connection);
    static void run_op(Connection& connection, detail::Op& op);

    const std::size_t capacity_;
    std::vector<std::unique_ptr<Connection>> connections_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::unique_ptr<detail::Op>> queue_;  // guarded by mutex_
    bool stopping_ = false;                          // guarded by mutex_

    std::vector<std::thread> threads_;
};

}  // namespace parley::storage
