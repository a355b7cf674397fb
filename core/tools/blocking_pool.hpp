#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/errc.hpp>
#include <boost/system/result.hpp>

namespace parley::core {

// The one shared, bounded thread pool for blocking tool work (a heavy parse, a
// subprocess), created at start-up and passed to the tools that need it. Never
// create one per call.
//
// Bounded: at most `threads + queue_capacity` jobs are accepted at once (running
// plus waiting). When full, run() does not wait: it rejects at once with
// errc::resource_unavailable_try_again, so an I/O thread never blocks and the
// caller turns the refusal into a tool error. A job that has started runs to the
// end (Asio cancellation of the caller cannot stop a blocking function); the
// caller resumes on its own executor once it has finished. The destructor waits
// for accepted jobs to finish.
class BlockingPool {
public:
    struct Options {
        unsigned threads = 2;
        std::size_t queue_capacity = 64;
    };

    explicit BlockingPool(Options options);
    BlockingPool() : BlockingPool(Options{}) {}
    ~BlockingPool();
    BlockingPool(const BlockingPool&) = delete;
    BlockingPool& operator=(const BlockingPool&) = delete;
    BlockingPool(BlockingPool&&) = delete;
    BlockingPool& operator=(BlockingPool&&) = delete;

    // Runs fn() (returning a non-void value) on a pool thread and resumes the
    // awaiting coroutine on its executor with the value. An exception thrown by
    // fn is rethrown to the caller. Takes fn by value: it outlives the call.
    template <class Fn>
    boost::asio::awaitable<boost::system::result<std::invoke_result_t<Fn&>>> run(Fn fn);

    // Jobs accepted and not yet finished (running plus waiting).
    [[nodiscard]] std::size_t pending() const { return pending_.load(); }
    [[nodiscard]] std::size_t capacity() const { return capacity_; }

private:
    bool try_acquire();
    void release();

    std::size_t capacity_;
    std::atomic<std::size_t> pending_{0};
    boost::asio::thread_pool pool_;
};

template <class Fn>
boost::asio::awaitable<boost::system::result<std::invoke_result_t<Fn&>>> BlockingPool::run(Fn fn) {
    using Value = std::invoke_result_t<Fn&>;
    static_assert(!std::is_void_v<Value>, "BlockingPool::run needs a function returning a value");
    if (!try_acquire()) {
        co_return boost::system::errc::make_error_code(boost::system::errc::resource_unavailable_try_again);
    }
    auto initiate = [this, fn = std::move(fn)](auto handler) mutable {
        // Keeps the caller's executor from running out of work while the job runs elsewhere.
        auto caller = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                          boost::asio::execution::outstanding_work.tracked);
        boost::asio::post(
            pool_, [this, fn = std::move(fn), handler = std::move(handler), caller = std::move(caller)]() mutable {
                std::exception_ptr failure;
                std::optional<Value> value;
                try {
                    value.emplace(fn());
                } catch (...) {
                    failure = std::current_exception();
                }
                release();
                boost::asio::post(caller, [handler = std::move(handler), failure, value = std::move(value)]() mutable {
                    std::move(handler)(failure, std::move(value));
                });
            });
    };
    // The exception_ptr is rethrown by use_awaitable; without one the value is set.
    std::optional<Value> value = co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                                                      void(std::exception_ptr, std::optional<Value>)>(
        std::move(initiate), boost::asio::use_awaitable);
    co_return std::move(*value);
}

}  // namespace parley::core
