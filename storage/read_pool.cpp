#include "storage/read_pool.hpp"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "storage/sqlite_error.hpp"

namespace parley::storage {
namespace {

constexpr int kMaxBusyRetries = 3;
constexpr std::chrono::milliseconds kFirstBackoff{2};

}  // namespace

ReadPool::ReadPool(const std::string& path, const Options& options)
    : capacity_(std::max(1U, options.writer_queue_capacity)) {
    const unsigned size = std::max(1U, options.read_pool_size);
    connections_.reserve(size);
    for (unsigned i = 0; i < size; ++i) {
        connections_.push_back(
            std::make_unique<Connection>(path, ConnectionRole::reader, options.synchronous, options.busy_timeout_ms));
    }
    threads_.reserve(size);
    for (auto& connection : connections_) {
        threads_.emplace_back([this, &connection = *connection] { run(connection); });
    }
}

ReadPool::~ReadPool() {
    stop();
}

void ReadPool::stop() {
    std::deque<std::unique_ptr<detail::Op>> abandoned;
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        abandoned.swap(queue_);
    }
    wake_.notify_all();
    for (auto& thread : threads_) {
        if (thread.joinable()) {
            thread.join();
        }
    }
    for (auto& op : abandoned) {
        op->fail(StoreErrc::closed);
        op->complete();
    }
}

void ReadPool::submit(std::unique_ptr<detail::Op> op) {
    std::unique_lock lock(mutex_);
    if (stopping_ || queue_.size() >= capacity_) {
        const bool closed = stopping_;
        lock.unlock();
        op->fail(closed ? StoreErrc::closed : StoreErrc::queue_full);
        op->complete_later();
        return;
    }
    queue_.push_back(std::move(op));
    lock.unlock();
    wake_.notify_one();
}

void ReadPool::run(Connection& connection) {
    for (;;) {
        std::unique_ptr<detail::Op> op;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
            if (queue_.empty()) {
                return;
            }
            op = std::move(queue_.front());
            queue_.pop_front();
        }
        run_op(connection, *op);
        op->complete();
    }
}

void ReadPool::run_op(Connection& connection, detail::Op& op) {
    auto backoff = kFirstBackoff;
    for (int attempt = 0;; ++attempt) {
        try {
            op.run(connection);
            return;
        } catch (const SqliteError& error) {
            if (!error.is_busy() || attempt == kMaxBusyRetries) {
                const auto code = error.to_error_code();
                if (code == StoreErrc::internal) {
                    spdlog::error("storage: read failed: {}", error.what());
                }
                op.fail(code);
                return;
            }
        } catch (const std::exception& error) {
            spdlog::error("storage: read failed: {}", error.what());
            op.fail(StoreErrc::internal);
            return;
        }
        std::this_thread::sleep_for(backoff);
        backoff *= 2;
    }
}

}  // namespace parley::storage
