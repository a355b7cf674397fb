#include "core/net/connection_pool.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <iterator>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace parley::core {

ConnectionPool::ConnectionPool(boost::asio::any_io_executor executor, HttpPoolLimits limits)
    : limits_(limits), slots_(std::move(executor), std::max<std::size_t>(limits.max_connections, 1)) {
    limits_.max_connections = std::max<std::size_t>(limits_.max_connections, 1);
    limits_.max_idle_connections = std::min(limits_.max_idle_connections, limits_.max_connections);
    for (std::size_t i = 0; i < limits_.max_connections; ++i) {
        [[maybe_unused]] const bool sent = slots_.try_send(boost::system::error_code{});
        assert(sent);
    }
}

boost::asio::awaitable<ConnectionPool::Acquired> ConnectionPool::acquire_slot(
    std::chrono::steady_clock::time_point deadline) {
    // A free slot is taken at once: no timer, no parallel group (most requests).
    bool free_slot = false;
    (void)slots_.try_receive([&free_slot](boost::system::error_code) { free_slot = true; });
    if (free_slot) {
        co_return Acquired::slot;
    }
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, deadline);
    // A parallel group rather than `||`: it reports both results, so a slot received in the
    // same instant as the timeout or a cancellation is given back instead of leaking.
    auto [order, receive_ec, timer_ec] =
        co_await boost::asio::experimental::make_parallel_group(slots_.async_receive(boost::asio::deferred),
                                                                timer.async_wait(boost::asio::deferred))
            .async_wait(boost::asio::experimental::wait_for_one(), boost::asio::as_tuple(boost::asio::use_awaitable));
    const bool cancelled =
        (co_await boost::asio::this_coro::cancellation_state).cancelled() != boost::asio::cancellation_type::none;
    if (!receive_ec) {
        if (!cancelled) {
            co_return Acquired::slot;
        }
        release_slot();
    }
    co_return cancelled ? Acquired::cancelled : Acquired::timed_out;
}

void ConnectionPool::release_slot() {
    [[maybe_unused]] const bool sent = slots_.try_send(boost::system::error_code{});
    assert(sent);
}

std::unique_ptr<HttpConnection> ConnectionPool::take_idle(const boost::asio::execution_context* preferred) {
    std::vector<std::unique_ptr<HttpConnection>> dead;
    std::unique_ptr<HttpConnection> found;
    const auto now = std::chrono::steady_clock::now();
    {
        const std::lock_guard lock(mutex_);
        if (preferred != nullptr) {
            // The most recently pooled one of the caller's thread goes last, to be taken first.
            const auto local = std::find_if(idle_.rbegin(), idle_.rend(), [preferred](const auto& idle) {
                return &idle.connection->context() == preferred;
            });
            if (local != idle_.rend() && local != idle_.rbegin()) {
                std::iter_swap(local, idle_.rbegin());
            }
        }
        while (!idle_.empty()) {
            auto candidate = std::move(idle_.back());
            idle_.pop_back();
            if (candidate.expires > now && candidate.connection->looks_alive()) {
                found = std::move(candidate.connection);
                break;
            }
            dead.push_back(std::move(candidate.connection));
        }
    }
    for (auto& connection : dead) {
        connection->close();
    }
    return found;
}

void ConnectionPool::put_idle(std::unique_ptr<HttpConnection> connection) {
    {
        const std::lock_guard lock(mutex_);
        if (idle_.size() < limits_.max_idle_connections) {
            idle_.push_back({std::move(connection), std::chrono::steady_clock::now() + limits_.keepalive});
            return;
        }
    }
    connection->close();
}

std::size_t ConnectionPool::close_expired(std::chrono::steady_clock::time_point now) {
    std::vector<IdleConnection> expired;
    {
        const std::lock_guard lock(mutex_);
        const auto kept = std::stable_partition(idle_.begin(), idle_.end(),
                                                [now](const IdleConnection& idle) { return idle.expires > now; });
        expired.insert(expired.end(), std::make_move_iterator(kept), std::make_move_iterator(idle_.end()));
        idle_.erase(kept, idle_.end());
    }
    // Closed outside the lock: requests on other threads take and return connections meanwhile.
    for (auto& idle : expired) {
        idle.connection->close();
    }
    return expired.size();
}

std::size_t ConnectionPool::idle_count() const {
    const std::lock_guard lock(mutex_);
    return idle_.size();
}

}  // namespace parley::core
