#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/asio/async_result.hpp>

#include "storage/connection.hpp"
#include "storage/detail/op.hpp"
#include "storage/detail/typed_op.hpp"
#include "storage/histogram.hpp"
#include "storage/options.hpp"
#include "storage/result.hpp"
#include "storage/store_stats.hpp"

namespace parley::storage {

// The only writer of the database. One thread owns the write connection and
// commits queued operations in batches (group commit): one transaction per
// batch of up to batch_max_ops operations. An idle writer commits what is
// queued at once; only under load (the previous batch left operations queued)
// does it wait for the batch to fill, and
// never past batch_max_delay_ms after the batch's first operation was queued
// (docs/storage.md, "The batched writer"). Each operation runs inside its own savepoint,
// so a failing operation fails only itself. SQLITE_BUSY/LOCKED is retried
// kMaxBusyRetries times with backoff. The queue is bounded: a write queued
// while writer_queue_capacity operations wait completes with
// StoreErrc::queue_full. Stopping drains the queue and commits it.
class BatchWriter {
public:
    static constexpr int kMaxBusyRetries = 3;
    static constexpr std::chrono::milliseconds kFirstBackoff{5};

    // Work every batch makes due that no operation's caller waits for
    // (SqliteStore: index_pending_messages). It runs in the batch's own
    // transaction, right before COMMIT, when more operations are already
    // queued; otherwise the batch commits and completes without it, and the
    // writer runs it in a transaction of its own before it waits for the next
    // operation: a lone write's latency does not include it. If it throws in a
    // batch's transaction, the batch fails as a whole, like a failed COMMIT;
    // on its own, the failure is logged and the work stays due.
    using Upkeep = std::function<void(Connection&)>;

    // Takes the connection (already migrated) and starts the thread.
    BatchWriter(std::unique_ptr<Connection> connection, const Options& options, Upkeep upkeep = {});
    ~BatchWriter();

    BatchWriter(const BatchWriter&) = delete;
    BatchWriter& operator=(const BatchWriter&) = delete;
    BatchWriter(BatchWriter&&) = delete;
    BatchWriter& operator=(BatchWriter&&) = delete;

    // Queues fn(Connection&) -> Result<T> and completes with its Result<T>
    // once the batch holding it has committed (or with the error that made
    // it, or the batch's commit, fail). fn runs on the writer thread inside a
    // transaction and may throw SqliteError. Completion signature
    // void(Result<T>): works with asio::use_awaitable, use_future, deferred.
    template <class T, class Fn, class CompletionToken>
    auto async_write(Fn fn, CompletionToken&& token) {
        static_assert(std::is_invocable_r_v<Result<T>, Fn&, Connection&>);
        return boost::asio::async_initiate<CompletionToken, void(Result<T>)>(
            [this](auto handler, Fn work) {
                using Handler = decltype(handler);
                submit(std::make_unique<detail::TypedOp<T, Fn, Handler>>(std::move(work), std::move(handler)));
            },
            token, std::move(fn));
    }

    // Stops accepting, commits everything queued, joins the thread. Idempotent.
    void stop();

    // True while the thread runs and owns an open connection (/readyz).
    [[nodiscard]] bool alive() const noexcept { return alive_.load(std::memory_order_acquire); }
    [[nodiscard]] StoreStats stats() const;

private:
    void submit(std::unique_ptr<detail::Op> op);
    void run();
    void run_batch(std::vector<std::unique_ptr<detail::Op>>& batch);
    void run_upkeep();
    bool run_op(detail::Op& op);
    template <class Fn>
    void retry_busy(Fn&& fn);

    std::unique_ptr<Connection> connection_;
    Upkeep upkeep_;
    bool upkeep_due_ = false;  // the writer thread's own
    const std::size_t max_ops_;
    const std::chrono::milliseconds max_delay_;
    const std::size_t capacity_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::unique_ptr<detail::Op>> queue_;  // guarded by mutex_
    bool stopping_ = false;                          // guarded by mutex_

    std::atomic<bool> alive_{false};
    std::atomic<std::uint64_t> queue_depth_{0};
    std::atomic<std::uint64_t> commits_total_{0};
    std::atomic<std::uint64_t> ops_total_{0};
    std::atomic<std::uint64_t> ops_failed_total_{0};
    std::atomic<std::uint64_t> busy_retries_total_{0};
    Histogram batch_size_;
    Histogram commit_duration_;

    std::thread thread_;  // last: starts after every member above is ready
};

}  // namespace parley::storage
