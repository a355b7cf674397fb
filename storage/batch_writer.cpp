#include "storage/batch_writer.hpp"

#include <algorithm>
#include <cassert>

#include <spdlog/spdlog.h>

#include "storage/savepoint.hpp"
#include "storage/sqlite_error.hpp"
#include "storage/transaction.hpp"

namespace parley::storage {
namespace {

std::vector<double> batch_size_bounds() {
    return {1, 2, 5, 10, 20, 50, 100, 200, 500};
}

std::vector<double> commit_duration_bounds() {
    return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
}

}  // namespace

BatchWriter::BatchWriter(std::unique_ptr<Connection> connection, const Options& options, Upkeep upkeep)
    : connection_(std::move(connection)),
      upkeep_(std::move(upkeep)),
      max_ops_(std::max(1U, options.batch_max_ops)),
      max_delay_(options.batch_max_delay_ms),
      capacity_(std::max(1U, options.writer_queue_capacity)),
      batch_size_(batch_size_bounds()),
      commit_duration_(commit_duration_bounds()) {
    assert(connection_ && connection_->role() == ConnectionRole::writer);
    alive_.store(true, std::memory_order_release);
    thread_ = std::thread([this] { run(); });
}

BatchWriter::~BatchWriter() {
    stop();
}

void BatchWriter::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) {
        thread_.join();
    }
}

StoreStats BatchWriter::stats() const {
    StoreStats stats;
    stats.commits_total = commits_total_.load(std::memory_order_relaxed);
    stats.ops_total = ops_total_.load(std::memory_order_relaxed);
    stats.ops_failed_total = ops_failed_total_.load(std::memory_order_relaxed);
    stats.busy_retries_total = busy_retries_total_.load(std::memory_order_relaxed);
    stats.queue_depth = queue_depth_.load(std::memory_order_relaxed);
    stats.batch_size = batch_size_.snapshot();
    stats.commit_duration = commit_duration_.snapshot();
    return stats;
}

void BatchWriter::submit(std::unique_ptr<detail::Op> op) {
    std::unique_lock lock(mutex_);
    if (stopping_ || queue_.size() >= capacity_) {
        const bool closed = stopping_;
        lock.unlock();
        op->fail(closed ? StoreErrc::closed : StoreErrc::queue_full);
        op->complete_later();
        return;
    }
    op->set_enqueued_at(std::chrono::steady_clock::now());
    queue_.push_back(std::move(op));
    const std::size_t depth = queue_.size();
    queue_depth_.store(depth, std::memory_order_relaxed);
    lock.unlock();
    // An idle writer waits for the first operation; one under load for a full batch.
    if (depth == 1 || depth >= max_ops_) {
        wake_.notify_one();
    }
}

void BatchWriter::run() {
    std::vector<std::unique_ptr<detail::Op>> batch;
    batch.reserve(max_ops_);
    // More was queued than one batch holds: writes arrive faster than the
    // writer commits them, so holding the next batch open to fill saves
    // commits. A full batch that emptied the queue says nothing about what
    // comes next: waiting then would make a lone follower pay the delay.
    bool under_load = false;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            if (queue_.empty() && upkeep_due_) {
                lock.unlock();
                run_upkeep();
                continue;
            }
            if (queue_.empty()) {
                // Idle: the next operation is committed as soon as it arrives.
                under_load = false;
                wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
                if (queue_.empty()) {
                    break;  // stopping, and everything queued has been committed
                }
            }
            if (under_load) {
                const auto deadline = queue_.front()->enqueued_at() + max_delay_;
                wake_.wait_until(lock, deadline, [this] { return queue_.size() >= max_ops_ || stopping_; });
            }
            const std::size_t take = std::min(max_ops_, queue_.size());
            for (std::size_t i = 0; i < take; ++i) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            under_load = !queue_.empty();
            queue_depth_.store(queue_.size(), std::memory_order_relaxed);
        }
        run_batch(batch);
        batch.clear();
    }
    alive_.store(false, std::memory_order_release);
}

template <class Fn>
void BatchWriter::retry_busy(Fn&& fn) {
    auto backoff = kFirstBackoff;
    for (int attempt = 0;; ++attempt) {
        try {
            fn();
            return;
        } catch (const SqliteError& error) {
            if (!error.is_busy() || attempt == kMaxBusyRetries) {
                throw;
            }
        }
        busy_retries_total_.fetch_add(1, std::memory_order_relaxed);
        std::this_thread::sleep_for(backoff);
        backoff *= 2;
    }
}

bool BatchWriter::run_op(detail::Op& op) {
    try {
        bool succeeded = false;
        retry_busy([&] {
            Savepoint savepoint(*connection_);
            succeeded = op.run(*connection_);
            if (succeeded) {
                savepoint.release();
            }
        });
        if (!succeeded) {
            ops_failed_total_.fetch_add(1, std::memory_order_relaxed);
        }
        return succeeded;
    } catch (const SqliteError& error) {
        ops_failed_total_.fetch_add(1, std::memory_order_relaxed);
        const auto code = error.to_error_code();
        if (code == StoreErrc::internal) {
            spdlog::error("storage: write failed: {}", error.what());
        }
        op.fail(code);
    } catch (const std::exception& error) {
        ops_failed_total_.fetch_add(1, std::memory_order_relaxed);
        spdlog::error("storage: write failed: {}", error.what());
        op.fail(StoreErrc::internal);
    }
    return false;
}

void BatchWriter::run_batch(std::vector<std::unique_ptr<detail::Op>>& batch) {
    const auto started = std::chrono::steady_clock::now();
    std::size_t succeeded = 0;
    try {
        std::unique_ptr<Transaction> transaction;
        retry_busy([&] { transaction = std::make_unique<Transaction>(*connection_, TransactionMode::immediate); });
        for (auto& op : batch) {
            succeeded += run_op(*op) ? 1 : 0;
        }
        // Operations already queued will wait for this commit anyway, so the
        // upkeep rides on it rather than costing a transaction of its own.
        const bool followed = queue_depth_.load(std::memory_order_relaxed) != 0;
        if (upkeep_ && followed) {
            retry_busy([&] { upkeep_(*connection_); });
        }
        retry_busy([&] { transaction->commit(); });
        upkeep_due_ = upkeep_ && !followed;
        commits_total_.fetch_add(1, std::memory_order_relaxed);
        batch_size_.observe(static_cast<double>(batch.size()));
        commit_duration_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    } catch (const SqliteError& error) {
        // BEGIN or COMMIT failed: nothing of this batch is stored.
        spdlog::error("storage: batch of {} operations not committed: {}", batch.size(), error.what());
        ops_failed_total_.fetch_add(succeeded, std::memory_order_relaxed);
        for (auto& op : batch) {
            op->fail(error.to_error_code() == StoreErrc::busy ? StoreErrc::busy : StoreErrc::internal);
        }
    }
    ops_total_.fetch_add(batch.size(), std::memory_order_relaxed);
    for (auto& op : batch) {
        op->complete();
    }
}

void BatchWriter::run_upkeep() {
    upkeep_due_ = false;
    try {
        std::unique_ptr<Transaction> transaction;
        retry_busy([&] { transaction = std::make_unique<Transaction>(*connection_, TransactionMode::immediate); });
        retry_busy([&] { upkeep_(*connection_); });
        retry_busy([&] { transaction->commit(); });
    } catch (const std::exception& error) {
        // Rolled back: the work stays due, and the next batch makes it due again.
        spdlog::error("storage: upkeep not committed: {}", error.what());
    }
}

}  // namespace parley::storage
