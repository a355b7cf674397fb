#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include "core/net/http_connection.hpp"
#include "core/net/http_request.hpp"

namespace parley::core {

// The connections to one origin (scheme, host, port). At most max_connections
// are in use at once: a request first takes a slot (waiting, awaitably and
// cancellably, when all are taken), then an idle connection or a new one. At
// most max_idle_connections are kept for reuse, each for at most `keepalive`
// (an older one is closed, not reused; close_expired() closes them without
// waiting for the next request). Thread-safe.
class ConnectionPool {
public:
    ConnectionPool(boost::asio::any_io_executor executor, HttpPoolLimits limits);

    enum class Acquired { slot, timed_out, cancelled };
    // Waits for a free slot until the deadline or Asio cancellation.
    boost::asio::awaitable<Acquired> acquire_slot(std::chrono::steady_clock::time_point deadline);
    // Gives a slot back (exactly once per acquire_slot()).
    void release_slot();

    // A pooled connection that still looks alive, or null. The caller holds a slot.
    // One served by `preferred` (the caller's I/O thread) when there is one: its
    // reads and writes then complete on the caller's thread.
    [[nodiscard]] std::unique_ptr<HttpConnection> take_idle(const boost::asio::execution_context* preferred = nullptr);
    // Keeps a finished, reusable connection (or closes it when max_idle are kept).
    void put_idle(std::unique_ptr<HttpConnection> connection);
    // Closes the idle connections kept longer than `keepalive` at `now`; returns how many.
    std::size_t close_expired(std::chrono::steady_clock::time_point now);

    [[nodiscard]] std::size_t idle_count() const;
    [[nodiscard]] const HttpPoolLimits& limits() const { return limits_; }

private:
    using SlotChannel = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;

    HttpPoolLimits limits_;
    // A counting semaphore: one message per free slot; receivers queue in FIFO order.
    SlotChannel slots_;
    struct IdleConnection {
        std::unique_ptr<HttpConnection> connection;
        std::chrono::steady_clock::time_point expires;  // idle since, plus keepalive
    };

    mutable std::mutex mutex_;
    std::vector<IdleConnection> idle_;  // most recently used last
};

}  // namespace parley::core
