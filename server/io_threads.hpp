#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/single_thread_context.hpp"

namespace parley::server {

// The I/O threads: one io_context per thread. The primary one (the daemon's
// services, signals, timers) is run by the thread that calls run(). Each
// accepted connection is given one of them, round-robin, and stays on it, so
// the chain of handlers behind a request never hops between threads (one
// io_context shared by N threads handed every posted handler to whichever
// thread was idle: a futex wake-up and a context switch per hop;
// docs/architecture.md).
class IoThreads {
public:
    explicit IoThreads(unsigned threads);
    // Shuts every context down before destroying any: a pending operation of one
    // (an accept into a socket of another) is destroyed while all of them exist.
    ~IoThreads();
    IoThreads(const IoThreads&) = delete;
    IoThreads& operator=(const IoThreads&) = delete;

    [[nodiscard]] unsigned size() const { return static_cast<unsigned>(contexts_.size()); }
    [[nodiscard]] boost::asio::io_context& primary() { return *contexts_.front(); }
    // The context for the next connection. Thread-safe.
    [[nodiscard]] boost::asio::io_context& next();

    // Runs every context, the primary on the calling thread; returns once the primary
    // has stopped, stopping the others with it.
    void run();

private:
    // A context run by one thread (so a session on it needs no strand) whose services
    // can be shut down (pending operations destroyed) before it is destroyed.
    class Context : public core::SingleThreadContext {
    public:
        void shut_down() { shutdown(); }
    };
    using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

    void stop_others();
    // See the constructor.
    static boost::asio::awaitable<void> tick(boost::asio::io_context& context);

    std::vector<std::unique_ptr<Context>> contexts_;  // [0] is the primary
    std::vector<WorkGuard> guards_;                   // keep the others running while idle
    std::atomic<unsigned> next_{0};
};

}  // namespace parley::server
